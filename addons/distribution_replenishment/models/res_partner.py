from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    supplier_on_time_rate = fields.Float(
        string="Supplier On Time (%)",
        compute="_compute_supplier_performance",
        digits=(16, 1),
        help="Share of the vendor's receipts done on or before the expected arrival date (all receipts; the "
        "stored figures, refreshed when a receipt of the vendor is validated and each night).",
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
        # The stored figures (distribution.supplier.stat), not the scorecard view: one indexed read.
        company = self.env.company
        figures = self.env["distribution.supplier.stat"]._get_figures(self.commercial_partner_id, company)
        for partner in self:
            stat = figures.get((company.id, partner.commercial_partner_id.id))
            partner.supplier_on_time_rate = stat.on_time_rate if stat else 0.0
            partner.supplier_avg_delay_days = stat.delay_days if stat else 0.0
            partner.supplier_fill_rate = stat.fill_rate if stat else 0.0
            partner.supplier_lead_drift = bool(stat) and stat.recent_delay_days >= company.replenishment_drift_days
            partner.supplier_receipt_count = stat.receipt_count if stat else 0

    def action_view_supplier_scorecard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "distribution_replenishment.distribution_supplier_performance_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
