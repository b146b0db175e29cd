from odoo import api, fields, models
from odoo.exceptions import UserError


class DistributionExceptionAssign(models.TransientModel):
    _name = "distribution.exception.assign"
    _description = "Assign Exceptions"

    exception_ids = fields.Many2many("distribution.exception", string="Exceptions", required=True)
    user_id = fields.Many2one("res.users", string="Owner", domain="[('share', '=', False)]")
    team_id = fields.Many2one("crm.team")
    note = fields.Text(help="Posted on each exception with the new assignment.")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "distribution.exception" and "exception_ids" in fields_list:
            res["exception_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return res

    def action_assign(self):
        self.ensure_one()
        if not self.user_id and not self.team_id:
            raise UserError(
                self.env._(
                    "Choose an owner or a team to assign the %(count)s exceptions to.", count=len(self.exception_ids)
                )
            )
        closed = self.exception_ids.filtered(lambda e: not e.is_open)
        if closed:
            raise UserError(
                self.env._("Cannot assign closed exceptions: %(names)s.", names=", ".join(closed.mapped("name")))
            )
        if self.user_id:
            wrong_company = self.exception_ids.filtered(lambda e: e.company_id not in self.user_id.sudo().company_ids)
            if wrong_company:
                raise UserError(
                    self.env._(
                        "%(user)s has no access to the company of %(names)s.",
                        user=self.user_id.name,
                        names=", ".join(wrong_company.mapped("name")),
                    )
                )
        vals = {}
        if self.user_id:
            vals["user_id"] = self.user_id.id
        if self.team_id:
            vals["team_id"] = self.team_id.id
        self.exception_ids.write(vals)
        if self.note:
            # The same note on every item, written together (the write above checked the user's rights).
            self.exception_ids._message_log_batch(dict.fromkeys(self.exception_ids.ids, self.note))
        return {"type": "ir.actions.act_window_close"}
