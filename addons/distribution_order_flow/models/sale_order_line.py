from odoo import _, api, models
from odoo.exceptions import UserError, ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Negative quantities are accepted as core accepts them: a line of -N is goods coming back from the
    # customer on this order (core creates an incoming move and invoices it as a refund line). Their effect
    # on the order's amount and margin goes through the approval rules like any other line.
    @api.constrains("discount")
    def _check_distribution_line_values(self):
        for line in self.filtered(lambda line: not line.display_type):
            if not 0.0 <= line.discount <= 100.0:
                raise ValidationError(
                    _(
                        "Order %(order)s, line %(line)s: the discount must be between 0%% and 100%% (got %(discount)s%%).",
                        order=line.order_id.name,
                        line=line.product_id.display_name or line.name,
                        discount=line.discount,
                    )
                )

    def _get_substitutes(self):
        """The line's product's substitutes, most preferred first."""
        self.ensure_one()
        return self.product_id.substitute_product_ids

    def action_open_substitutes(self):
        self.ensure_one()
        if not self._get_substitutes():
            raise UserError(
                _("%(product)s has no substitute: add some on the product (Sales tab).",
                  product=self.product_id.display_name)
            )
        wizard = self.env["distribution.substitute.wizard"].create({"line_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Substitutes for %(product)s", product=self.product_id.display_name),
            "res_model": "distribution.substitute.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _swap_product(self, substitute):
        """Sell ``substitute`` instead of the line's product on a quotation: same quantity (in the
        substitute's unit when the line's unit does not fit it), priced again by the order's pricelist
        (contracts included), the swap recorded on the order."""
        self.ensure_one()
        order = self.order_id
        if order.state not in ("draft", "sent"):
            raise UserError(
                _("Order %(order)s is confirmed: substitute %(product)s on a quotation, or change the delivery.",
                  order=order.name, product=self.product_id.display_name)
            )
        if substitute not in self._get_substitutes():
            raise UserError(
                _("%(substitute)s is not a substitute of %(product)s.",
                  substitute=substitute.display_name, product=self.product_id.display_name)
            )
        original = self.product_id
        values = {"product_id": substitute.id}
        if not self.product_uom_id._has_common_reference(substitute.uom_id):
            values["product_uom_id"] = substitute.uom_id.id
        self.write(values)
        # The price follows the substitute's price rules (contract, pricelist) even where the original
        # price had been set by hand: it was the original product's price.
        self.with_context(force_price_recomputation=True)._compute_price_unit()
        order._record_substitution(self, original)
        return True
