from odoo import fields, models


class DistributionPriceOverride(models.Model):
    """One price set by hand below its contract or pricelist price: the audit trail of overrides."""

    _name = "distribution.price.override"
    _description = "Price Override"
    _order = "date desc, id desc"

    order_line_id = fields.Many2one("sale.order.line", required=True, ondelete="cascade", index=True, readonly=True)
    order_id = fields.Many2one(related="order_line_id.order_id", store=True, index=True)
    company_id = fields.Many2one(related="order_line_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_line_id.order_partner_id", store=True, string="Customer")
    product_id = fields.Many2one(related="order_line_id.product_id", store=True)
    salesperson_id = fields.Many2one(related="order_id.user_id", store=True, string="Salesperson")
    currency_id = fields.Many2one(related="order_line_id.currency_id")
    user_id = fields.Many2one("res.users", string="Overridden By", required=True, readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    price_from = fields.Monetary(string="From Price", readonly=True)
    price_to = fields.Monetary(string="To Price", readonly=True)
    price_source = fields.Char(string="Overridden Source", readonly=True)
    reason = fields.Char(readonly=True)
