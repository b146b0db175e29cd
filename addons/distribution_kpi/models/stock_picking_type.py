from odoo import fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    distribution_at_risk_count = fields.Integer(
        string="At Risk",
        compute="_compute_distribution_at_risk_count",
        help="Open transfers of this operation type whose sales order is at risk of missing its promise date: "
        "the Inventory overview shows them on the type's card, to be worked first.",
    )

    def _get_at_risk_transfers_domain(self):
        return [
            ("picking_type_id", "in", self.ids),
            ("state", "not in", ("draft", "done", "cancel")),
            ("sale_id.at_risk", "=", True),
            ("company_id", "in", self.env.companies.ids),
        ]

    def _compute_distribution_at_risk_count(self):
        # A count and the transfers' own list, no order: read as the system, as the warehouse user working
        # the transfers may have no right on sales orders (limited to the user's companies above).
        groups = self.env["stock.picking"].sudo()._read_group(
            self._get_at_risk_transfers_domain(), ["picking_type_id"], ["__count"]
        ) if self.ids else []
        counts = {picking_type.id: count for picking_type, count in groups}
        for picking_type in self:
            picking_type.distribution_at_risk_count = counts.get(picking_type.id, 0)

    def action_view_at_risk_transfers(self):
        """This operation type's open transfers for orders at risk, earliest scheduled first."""
        self.ensure_one()
        pickings = self.env["stock.picking"].sudo().search(self._get_at_risk_transfers_domain())
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action.update({
            "domain": [("id", "in", pickings.ids)],
            "context": {"create": False},
            "display_name": self.env._("At risk: %(type)s", type=self.display_name),
        })
        return action
