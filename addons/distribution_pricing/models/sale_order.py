from odoo import _, api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.depends("order_line.is_price_override", "order_line.is_below_margin_floor")
    def _compute_has_price_override(self):
        # Sets the order-flow hook: the "Price override" approval rule routes these orders.
        for order in self:
            order.has_price_override = any(
                line.is_price_override or line.is_below_margin_floor for line in order.order_line
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
