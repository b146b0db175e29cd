from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DistributionCreditHoldWizard(models.TransientModel):
    """A credit controller holds or releases orders by hand, and says why: the reason goes on each
    order's chatter with the controller's name."""

    _name = "distribution.credit.hold.wizard"
    _description = "Credit Hold or Release"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True, readonly=True)
    mode = fields.Selection([("hold", "Hold"), ("release", "Release")], required=True, readonly=True)
    reason = fields.Text(required=True, help="Why: on the chatter of each order, with your name.")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        orders = self.env["sale.order"].browse(self.env.context.get("active_ids", []))
        mode = self.env.context.get("distribution_credit_mode", "hold")
        # Refused before anything is typed: the same checks as the actions themselves.
        orders._check_credit_controller(
            _("put %(orders)s on credit hold") if mode == "hold" else _("release the credit hold of %(orders)s")
        )
        res.update({"order_ids": [fields.Command.set(orders.ids)], "mode": mode})
        return res

    def action_apply(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(_("Give the reason for the credit %(mode)s.", mode=self.mode))
        if self.mode == "hold":
            self.order_ids.action_credit_hold(reason=self.reason)
        else:
            self.order_ids.action_release_credit_hold(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
