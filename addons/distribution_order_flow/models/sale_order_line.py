from odoo import Command, _, api, models
from odoo.exceptions import UserError, ValidationError


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "distribution.system.fields.mixin"]

    # Negative quantities are accepted as core accepts them: a line of -N is goods coming back from the
    # customer on this order (core creates an incoming move and invoices it as a refund line). Their effect
    # on the order's amount and margin goes through the approval rules like any other line.
    @api.constrains("discount")
    def _check_distribution_line_values(self):
        for line in self.filtered(lambda line: not line.display_type):
            if not 0.0 <= line.discount <= 100.0:
                raise ValidationError(
                    _(
                        "Order %(order)s, line %(line)s: the discount must be between 0%% and 100%% "
                        "(got %(discount)s%%).",
                        order=line.order_id.name,
                        line=line.product_id.display_name or line.name,
                        discount=line.discount,
                    )
                )

    @api.model
    def _get_approval_line_fields(self):
        """Line fields the approval matrix reads through the order's indicators (discount, margin, price
        override, credit exposure). Extension point."""
        return {
            "product_id",
            "product_uom_qty",
            "product_uom_id",
            "price_unit",
            "discount",
            "purchase_price",
            "tax_ids",
        }

    def _get_approval_discount(self):
        """The discount of this line the approval matrix reads (the order's ``max_discount``), in percent:
        the line's discount. Extension point: the pricing module leaves out what the pricelist itself
        gives (Odoo shows a percentage rule as a line discount when line discounts are on)."""
        self.ensure_one()
        return self.discount

    def _commands_change_approval(self, commands):
        """Whether x2many ``commands`` on these lines (an order's ``order_line`` write) change what the
        approval matrix reads: a line added, removed or replaced, or a watched field given a new value."""
        watched = self._get_approval_line_fields()
        for command in commands:
            if not isinstance(command, (list, tuple)) or command[0] == Command.LINK and command[1] in self.ids:
                continue
            if command[0] != Command.UPDATE:
                return True
            line = self.browse(command[1])
            for name in watched & set(command[2]):
                field = line._fields[name]
                if field.convert_to_record(field.convert_to_cache(command[2][name], line), line) != line[name]:
                    return True
        return False

    def _get_lines_of_reviewed_orders(self):
        return self.filtered(lambda line: line.order_id.state in ("draft", "sent") and line.order_id.review_ids)

    def _may_set_line_cost(self):
        """Margins are measured on the product's cost: only sales managers (and the system) set another
        cost on a line."""
        return self.env.su or self.env.user.has_group("sales_team.group_sale_manager")

    def _drop_line_cost(self, vals):
        # The quotation form sends the cost it shows with every line: for other users it is ignored and
        # the line keeps (or computes) the product's cost, whatever the client sent.
        if "purchase_price" in vals and not self._may_set_line_cost():
            vals = dict(vals)
            del vals["purchase_price"]
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._drop_line_cost(vals) for vals in vals_list]
        lines = super().create(vals_list)
        reviewed = lines._get_lines_of_reviewed_orders()
        if reviewed and not self.env.context.get("distribution_no_approval_restart"):
            reviewed.order_id._restart_approval_after_change(["order_line"])
        lines._check_lines_added_to_confirmed_orders()
        return lines

    @api.depends("order_id.invoice_on_delivery")
    def _compute_qty_to_invoice(self):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        """An order invoiced on delivery invoices its goods as they are delivered, whatever the
        product's invoicing policy (Odoo gives goods 'ordered quantities' by default): a short delivery
        is billed for what left, and the rest when it follows. Services keep their policy."""
        super()._compute_qty_to_invoice()
        for line in self:
            if (
                line.state == "sale"
                and line.order_id.invoice_on_delivery
                and not line.display_type
                and line.product_id.type == "consu"
                and not line.combo_item_id
            ):
                line.qty_to_invoice = line.qty_delivered - line.qty_invoiced

    def _is_governed_sale_line(self):
        """A goods or service line a person prices (core's own lines, down payments, delivery charges
        and re-invoiced expenses, are priced by their flows)."""
        self.ensure_one()
        return bool(self.product_id) and not (
            self.display_type or self.is_downpayment or self.is_expense or self.is_delivery
        )

    def _is_off_approved_terms(self):
        """Whether this line sells on terms the approval matrix would look at: a discount here; the
        pricing module adds a price below the pricelist's or below the margin floor. Extension point."""
        self.ensure_one()
        return bool(self.discount)

    def _check_lines_added_to_confirmed_orders(self):
        """A line added to a confirmed order is sold at a price nobody approved unless it is at the
        pricelist's price with no discount: salespeople cannot add such a line; a sales manager can, and
        the order then waits for another sales manager's approval of its prices before it is invoiced."""
        if self.env.su or self.env.context.get("sale_write_from_compute"):
            return
        if self.env.cr.cache.get("distribution_delivery_sync"):
            return  # lines core adds for goods a validated delivery handed over beyond the order
        off_terms = self.filtered(
            lambda line: line.state == "sale" and line._is_governed_sale_line() and line._is_off_approved_terms()
        )
        if not off_terms:
            return
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(
                _(
                    "Order %(order)s is confirmed: %(user)s cannot add %(product)s with a discount or below its "
                    "pricelist price (add it at the pricelist price, or ask a sales manager).",
                    order=", ".join(off_terms.order_id.mapped("name")),
                    user=self.env.user.name,
                    product=", ".join(off_terms.product_id.mapped("display_name")),
                )
            )
        off_terms.order_id._mark_repriced(off_terms, {})

    def _check_confirmed_price_change(self, vals):
        """On a confirmed order, the unit price and the discount are what was approved and what invoicing
        on delivery bills: only sales managers change them, and each change is on the order's chatter."""
        changing = [name for name in ("price_unit", "discount") if name in vals]
        if not changing or self.env.su or self.env.context.get("sale_write_from_compute"):
            return self.browse()
        confirmed = self.filtered(
            lambda line: line.state == "sale"
            and line._is_governed_sale_line()
            and any(line.currency_id.compare_amounts(line[name], vals[name]) if name == "price_unit"
                    else line[name] != vals[name] for name in changing)
        )
        if confirmed and not self.env.user.has_group("sales_team.group_sale_manager"):
            raise UserError(
                _(
                    "Order %(order)s is confirmed: %(user)s cannot change its prices or discounts (a sales "
                    "manager can, or cancel and re-quote).",
                    order=", ".join(confirmed.order_id.mapped("name")),
                    user=self.env.user.name,
                )
            )
        return confirmed

    def write(self, vals):
        vals = self._drop_line_cost(vals)
        repriced = self._check_confirmed_price_change(vals)
        before = {line.id: (line.price_unit, line.discount) for line in repriced}
        watched = self._get_approval_line_fields() & set(vals)
        changed = self.browse()
        if watched and not self.env.context.get("distribution_no_approval_restart"):
            for line in self._get_lines_of_reviewed_orders():
                for name in watched:
                    field = line._fields[name]
                    if field.convert_to_record(field.convert_to_cache(vals[name], line), line) != line[name]:
                        changed |= line
                        break
        res = super().write(vals)
        if changed:
            changed.order_id._restart_approval_after_change(["order_line"])
        if repriced:
            repriced.order_id._mark_repriced(repriced, before)
        return res

    def unlink(self):
        orders = self._get_lines_of_reviewed_orders().order_id
        res = super().unlink()
        orders.exists()._restart_approval_after_change(["order_line"])
        return res

    def _get_substitutes(self):
        """The line's product's substitutes, most preferred first."""
        self.ensure_one()
        return self.product_id.substitute_product_ids

    def action_open_substitutes(self):
        """The substitutes of the line's product to choose from: on a quotation, for the whole line; on a
        confirmed order, for its short quantity (refused at once when nothing is short or the customer never
        accepts a substitute)."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            self._check_substitution_rights()
            self._check_confirmed_substitution()
            self._check_substitution_consent()
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
                _("Order %(order)s is confirmed: the whole line of %(product)s is not swapped, only its short "
                  "quantity is substituted (exchange icon on the line).",
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

    def _substitute(self, substitute):
        """Sell ``substitute`` instead of the line's product, as the order's state allows: the whole line on a
        quotation (``_swap_product``), the short quantity on a confirmed order
        (``_substitute_short_quantity``)."""
        self.ensure_one()
        if self.state in ("draft", "sent"):
            return self._swap_product(substitute)
        return self._substitute_short_quantity(substitute)
