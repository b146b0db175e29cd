from odoo import fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    distribution_exception_count = fields.Integer(
        string="Open Exceptions",
        compute="_compute_distribution_exception_count",
        help="Open items of the exception queue on this operation type's transfers (short picks, backorders, "
        "returns, ...) that the user can see: the Inventory overview shows them on the type's card.",
    )

    def _compute_distribution_exception_count(self):
        groups = self.env["distribution.exception"]._read_group(
            [("is_open", "=", True), ("picking_id.picking_type_id", "in", self.ids)],
            ["picking_id.picking_type_id"],
            ["__count"],
        ) if self.ids else []
        counts = {picking_type.id: count for picking_type, count in groups}
        for picking_type in self:
            picking_type.distribution_exception_count = counts.get(picking_type.id, 0)

    def action_view_distribution_exceptions(self):
        """The exception queue on this operation type's transfers, open items first by type."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("distribution_exceptions.distribution_exception_action")
        action["domain"] = [("picking_id.picking_type_id", "=", self.id)]
        action["display_name"] = self.env._("Exceptions: %(type)s", type=self.display_name)
        return action
