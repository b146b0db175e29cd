from odoo import _, api, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.depends("order_line.distribution_pricelist_discount")
    def _compute_max_discount(self):
        return super()._compute_max_discount()

    @api.depends("order_line.is_price_override")
    def _compute_has_price_override(self):
        # Sets the order-flow hook: the "Price below contract or pricelist" approval rule routes these orders.
        for order in self:
            order.has_price_override = any(order.order_line.mapped("is_price_override"))

    @api.depends("order_line.is_below_margin_floor")
    def _compute_has_margin_floor_breach(self):
        # Sets the order-flow hook: the "Margin below floor" approval rule routes these orders.
        for order in self:
            order.has_margin_floor_breach = any(order.order_line.mapped("is_below_margin_floor"))

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
        for line in self.order_line.filtered("is_price_override"):
            agreement = line.pricelist_item_id.distribution_agreement_id
            values = {
                "product": line.product_id.display_name,
                "price": line.currency_id.format(line.price_unit),
                "list_price": line.currency_id.format(line.distribution_pricelist_price),
                "reason": line.price_override_reason or _("no reason given"),
            }
            if agreement:
                summary.append(_(
                    "%(product)s: %(price)s, below the contract price %(list_price)s of %(agreement)s (%(reason)s)",
                    agreement=agreement.name, **values,
                ))
            else:
                summary.append(_(
                    "%(product)s: %(price)s, below the pricelist price %(list_price)s of %(pricelist)s (%(reason)s)",
                    pricelist=self.pricelist_id.name or _("the list price"), **values,
                ))
        return summary

    def _get_margin_floor_summary(self):
        summary = super()._get_margin_floor_summary()
        for line in self.order_line.filtered("is_below_margin_floor"):
            net_price = line.price_unit * (1 - line.discount / 100.0)
            margin = (net_price - line.purchase_price) / net_price * 100.0 if net_price > 0 else 0.0
            category = line.product_id.categ_id
            summary.append(_(
                "%(product)s: margin %(margin)s%% at %(price)s, under the %(floor)s%% floor of %(source)s",
                product=line.product_id.display_name,
                margin=round(margin, 1),
                price=line.currency_id.format(net_price),
                floor=round(category._get_margin_floor(line.company_id), 2),
                source=category._get_margin_floor_source(line.company_id),
            ))
        return summary
