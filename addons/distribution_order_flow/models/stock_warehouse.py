from odoo import fields, models
from odoo.fields import Domain


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    distribution_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="When the warehouse works and hands goods to carriers: its working days and its time off (public "
        "holidays) decide the day a delivery past its carrier's cut-off is scheduled for. Empty: the company's "
        "working hours.",
    )

    def _get_distribution_calendar(self):
        self.ensure_one()
        return self.distribution_calendar_id or self.company_id.resource_calendar_id

    def action_reallocate(self):
        """Re-allocate every short product of these warehouses."""
        self.env["distribution.reallocation"]._check_reallocation_rights()
        Move = self.env["stock.move"]
        moves = Move.sudo().search(
            Domain([("state", "in", ("confirmed", "partially_available")),
                    ("location_id", "child_of", self.view_location_id.ids)])
            & Move._get_stock_step_domain() & Move._get_delivery_chain_domain()
        )
        changes = self.env["distribution.reallocation"]._reallocate(moves.product_id, self, companies=self.company_id)
        return self.env["product.product"]._reallocation_notification(changes)
