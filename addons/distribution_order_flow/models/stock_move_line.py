from odoo import api, models
from odoo.exceptions import UserError

# What a done transfer recorded: which goods left, how many, from where to where.
DONE_LINE_FIELDS = {"quantity", "product_id", "location_id", "location_dest_id", "lot_id", "package_id",
                    "result_package_id", "owner_id"}


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _check_done_lines_editable(self):
        """A done, locked transfer is a record: its quantities are what was received or shipped (and
        what invoicing on delivery billed). Core's form makes them read-only until an inventory manager
        unlocks the transfer; the same rule holds for RPC and imports. Corrections go through a return
        or an unlocked transfer."""
        if self.env.su:
            return
        locked = self.filtered(lambda line: line.state == "done" and line.move_id.picking_id.is_locked)
        if locked:
            raise UserError(
                self.env._(
                    "%(pickings)s is done and locked: its quantities are what moved and cannot be changed. "
                    "Return the goods, or ask an inventory manager to unlock it.",
                    pickings=", ".join(locked.move_id.picking_id.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_done_lines_editable()
        return lines

    def write(self, vals):
        if DONE_LINE_FIELDS & set(vals):
            self._check_done_lines_editable()
        return super().write(vals)

    def unlink(self):
        self._check_done_lines_editable()
        return super().unlink()
