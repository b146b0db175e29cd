from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    supplier_on_time_rate = fields.Float(
        string="Supplier On Time (%)",
        compute="_compute_supplier_performance",
        digits=(16, 1),
        help="Share of the vendor's receipts done on or before the expected arrival date (all receipts).",
    )
    supplier_avg_delay_days = fields.Float(
        string="Supplier Avg Delay (days)",
        compute="_compute_supplier_performance",
        digits=(16, 1),
        help="Average days between expected arrival and receipt (negative: early).",
    )
    supplier_fill_rate = fields.Float(
        string="Supplier Fill Rate (%)", compute="_compute_supplier_performance", digits=(16, 1)
    )
    supplier_lead_drift = fields.Boolean(
        string="Lead Time Drift",
        compute="_compute_supplier_performance",
        help="The vendor's last receipts came later than promised by at least the company's drift threshold.",
    )
    supplier_receipt_count = fields.Integer(string="Receipts Measured", compute="_compute_supplier_performance")

    def _compute_supplier_performance(self):
        vendors = self.commercial_partner_id
        self.env["distribution.supplier.performance"].invalidate_model()  # a live view, never stale
        rows = self.env["distribution.supplier.performance"].sudo().search_read(
            [("partner_id", "in", vendors.ids), ("product_id", "=", False), ("company_id", "=", self.env.company.id)],
            ["partner_id", "on_time_rate", "delay_days", "fill_rate", "lead_drift", "receipt_count"],
        )
        by_vendor = {row["partner_id"][0]: row for row in rows}
        for partner in self:
            row = by_vendor.get(partner.commercial_partner_id.id, {})
            partner.supplier_on_time_rate = row.get("on_time_rate", 0.0)
            partner.supplier_avg_delay_days = row.get("delay_days", 0.0)
            partner.supplier_fill_rate = row.get("fill_rate") or 0.0
            partner.supplier_lead_drift = row.get("lead_drift", False)
            partner.supplier_receipt_count = row.get("receipt_count", 0)

    def action_view_supplier_scorecard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "distribution_replenishment.distribution_supplier_performance_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
