from odoo import _, api, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.constrains("discount", "product_uom_qty")
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
            if line.product_uom_qty < 0 and not line.is_downpayment:
                raise ValidationError(
                    _(
                        "Order %(order)s, line %(line)s: the quantity cannot be negative (got %(qty)s); "
                        "use a return or a credit note instead.",
                        order=line.order_id.name,
                        line=line.product_id.display_name or line.name,
                        qty=line.product_uom_qty,
                    )
                )
