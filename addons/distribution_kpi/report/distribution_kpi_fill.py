from odoo import fields, models
from odoo.tools import SQL


class DistributionKpiFill(models.Model):
    """One row per goods line of a confirmed order whose first delivery is done: what that first
    delivery (the first done transfer to the customer for the order) carried of the line, recorded on
    the line when it was validated. A line is filled when its first delivery carried its whole ordered
    quantity."""

    _name = "distribution.kpi.fill"
    _inherit = "distribution.kpi.report"
    _description = "KPI: Fill Rate"
    _auto = False
    _order = "date desc"
    _rec_name = "order_id"
    _kpi_ratios = {
        "line_fill_rate": ("line_filled", "line_count"),
        "qty_fill_rate": ("qty_first_capped", "qty_ordered"),
    }

    order_id = fields.Many2one("sale.order", readonly=True)
    order_line_id = fields.Many2one("sale.order.line", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    date = fields.Datetime(string="First Delivery On", readonly=True)
    line_count = fields.Integer(string="Lines", readonly=True, aggregator="sum")
    line_filled = fields.Integer(string="Lines Filled", readonly=True, aggregator="sum")
    qty_ordered = fields.Float(string="Ordered Qty", readonly=True, aggregator="sum")
    qty_first = fields.Float(string="Qty in First Delivery", readonly=True, aggregator="sum")
    qty_first_capped = fields.Float(string="Qty Filled", readonly=True, aggregator="sum",
                                    help="Quantity of the first delivery, at most the ordered quantity.")
    line_fill_rate = fields.Float(string="Line Fill Rate (%)", readonly=True, aggregator="ratio", digits=(16, 1))
    qty_fill_rate = fields.Float(string="Quantity Fill Rate (%)", readonly=True, aggregator="ratio", digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT line.id AS id,
                   line.id AS order_line_id,
                   line.order_id,
                   line.product_id,
                   so.company_id,
                   so.warehouse_id,
                   so.user_id,
                   partner.commercial_partner_id AS partner_id,
                   %(customer_class)s AS customer_class_id,
                   line.kpi_first_delivery_date AS date,
                   1 AS line_count,
                   (line.kpi_first_delivery_qty >= line.product_uom_qty)::int AS line_filled,
                   line.product_uom_qty AS qty_ordered,
                   line.kpi_first_delivery_qty AS qty_first,
                   LEAST(line.kpi_first_delivery_qty, line.product_uom_qty) AS qty_first_capped,
                   100.0 * (line.kpi_first_delivery_qty >= line.product_uom_qty)::int AS line_fill_rate,
                   100.0 * LEAST(line.kpi_first_delivery_qty, line.product_uom_qty) / line.product_uom_qty
                       AS qty_fill_rate
              FROM sale_order_line line
              JOIN sale_order so ON so.id = line.order_id
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
             WHERE line.kpi_first_delivery_date IS NOT NULL AND so.state = 'sale' AND line.product_uom_qty > 0
            """,
            customer_class=self._customer_class_sql("commercial", "so.company_id"),
        )
