from odoo import _, api, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.depends("order_line.distribution_pricelist_discount")
    def _compute_max_discount(self):
        return super()._compute_max_discount()

    @api.depends("order_line.is_price_override", "order_line.is_below_margin_floor")
    def _compute_has_price_override(self):
        # Sets the order-flow hook: the "Price override" approval rule routes these orders.
        for order in self:
            order.has_price_override = any(
                line.is_price_override or line.is_below_margin_floor for line in order.order_line
            )

    def write(self, vals):
        res = super().write(vals)
        if {"date_order", "pricelist_id"} & set(vals):
            self._refresh_pricelist_reference()
        return res

    def _refresh_pricelist_reference(self):
        """The pricelist engine's price of a line depends on its order's pricelist and date (dated rules,
        contract periods), but the rule Odoo keeps on the line (``pricelist_item_id``) follows only its
        product and quantity: when a quotation changes pricelist or date, each line's rule and reference
        price are found again, and what is measured against them (overrides, margin floors, the approval
        they need). Confirmation also dates the order, but confirmed lines keep the prices they were
        approved with, so the date is no declared dependency: nothing is recomputed at confirmation."""
        lines = self.filtered(lambda order: order.state in ("draft", "sent")).order_line.filtered(
            lambda line: not line.display_type
        )
        if not lines:
            return
        lines.invalidate_recordset(["pricelist_item_id"])  # not stored: found again when next read
        names = ["distribution_pricelist_price", "distribution_pricelist_discount"]
        for name in names:
            self.env.add_to_compute(lines._fields[name], lines)
        lines.modified(names)

    @api.constrains("pricelist_id", "partner_id")
    def _check_contract_pricelist_belongs_to_customer(self):
        """A contract pricelist prices its own customer (or customer class) only: giving it to another
        customer's order would hand them the contract's prices without an override to approve."""
        for order in self.filtered("pricelist_id"):
            pricelist = order.pricelist_id
            customer = order.partner_id.commercial_partner_id
            contract_customer = pricelist.distribution_partner_id.commercial_partner_id
            contract_class = pricelist.distribution_class_id
            customer_class = customer.with_company(order.company_id).distribution_class_id
            if (contract_customer and contract_customer != customer) or (
                contract_class and contract_class != customer_class
            ):
                raise ValidationError(
                    _(
                        "Order %(order)s: %(pricelist)s is the contract pricelist of %(owner)s, not of %(customer)s.",
                        order=order.name,
                        pricelist=pricelist.display_name,
                        owner=contract_customer.display_name or contract_class.display_name,
                        customer=customer.display_name,
                    )
                )

    def _get_price_override_summary(self):
        summary = super()._get_price_override_summary()
        for line in self.order_line.filtered(lambda line: line.is_price_override or line.is_below_margin_floor):
            price = line.currency_id.format(line.price_unit)
            list_price = line.currency_id.format(line.distribution_pricelist_price)
            if line.is_price_override:
                summary.append(
                    _(
                        "%(product)s: %(price)s instead of %(list_price)s (%(reason)s)",
                        product=line.product_id.display_name,
                        price=price,
                        list_price=list_price,
                        reason=line.price_override_reason or _("no reason given"),
                    )
                )
            else:
                summary.append(
                    _(
                        "%(product)s: %(price)s, margin below the floor",
                        product=line.product_id.display_name,
                        price=price,
                    )
                )
        return summary
