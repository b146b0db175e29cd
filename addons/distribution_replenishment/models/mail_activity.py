from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    distribution_spike_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Demand Spike Warehouse",
        index="btree_not_null",
        readonly=True,
        ondelete="cascade",
        help="Set on the activity telling a buyer of a demand spike: the warehouse where demand jumped. With "
        "the product, the key that keeps one open activity per spike (the summary is only text for people).",
    )
    distribution_lead_company_id = fields.Many2one(
        "res.company",
        string="Lead Time Deterioration Company",
        index="btree_not_null",
        readonly=True,
        ondelete="cascade",
        help="Set on the activity telling a buyer that a vendor's lead time is deteriorating: the company whose "
        "receipts show it. With the vendor, the key that keeps one open activity per vendor and company.",
    )
