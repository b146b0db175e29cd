from odoo import fields, models


class DistributionPriceRealizationReport(models.Model):
    """Contract (or pricelist) price against the price actually sold at, per confirmed order line:
    what each customer and product gave away."""

    _name = "distribution.price.realization.report"
    _description = "Price Realization"
    _auto = False
    _order = "date desc"
    # Searching the report flushes these first, so it reads what was just written.
    _depends = {
        "sale.order": ["date_order", "company_id", "partner_id", "user_id", "currency_id", "state"],
        "sale.order.line": [
            "order_id",
            "product_id",
            "price_source",
            "is_price_override",
            "product_uom_qty",
            "distribution_pricelist_price",
            "price_unit",
            "discount",
            "price_subtotal",
            "display_type",
            "is_downpayment",
        ],
        "res.partner": ["commercial_partner_id"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
    }

    date = fields.Datetime(readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    price_source = fields.Char(readonly=True)
    is_price_override = fields.Boolean(string="Overridden", readonly=True)
    quantity = fields.Float(readonly=True)
    reference_price = fields.Monetary(string="Contract/List Price", readonly=True, aggregator="avg")
    realized_price = fields.Monetary(readonly=True, aggregator="avg")
    reference_amount = fields.Monetary(string="At Contract/List Price", readonly=True)
    realized_amount = fields.Monetary(string="Realized", readonly=True)
    given_away = fields.Monetary(string="Margin Given Away", readonly=True)

    @property
    def _table_query(self):
        return """
            SELECT line.id AS id,
                   so.date_order AS date,
                   so.id AS order_id,
                   so.company_id AS company_id,
                   partner.commercial_partner_id AS partner_id,
                   so.user_id AS user_id,
                   line.product_id AS product_id,
                   template.categ_id AS categ_id,
                   so.currency_id AS currency_id,
                   line.price_source AS price_source,
                   line.is_price_override AS is_price_override,
                   line.product_uom_qty AS quantity,
                   line.distribution_pricelist_price AS reference_price,
                   line.price_unit * (1 - COALESCE(line.discount, 0) / 100.0) AS realized_price,
                   line.distribution_pricelist_price * line.product_uom_qty AS reference_amount,
                   line.price_subtotal AS realized_amount,
                   line.distribution_pricelist_price * line.product_uom_qty - line.price_subtotal AS given_away
              FROM sale_order_line line
              JOIN sale_order so ON so.id = line.order_id
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
             WHERE so.state = 'sale'
               AND line.display_type IS NULL
               AND NOT COALESCE(line.is_downpayment, FALSE)
        """
