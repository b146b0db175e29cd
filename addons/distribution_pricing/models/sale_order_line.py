from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    price_source = fields.Char(
        compute="_compute_price_source",
        store=True,
        help="Where the unit price comes from: a contract (price agreement), a pricelist, or a manual "
        "override. Kept as it was when the order was confirmed.",
    )
    is_price_override = fields.Boolean(
        string="Price Overridden",
        compute="_compute_price_governance",
        store=True,
        help="The unit price was set by hand below the contract or pricelist price.",
    )
    is_below_margin_floor = fields.Boolean(
        compute="_compute_price_governance",
        store=True,
        help="The line's margin (after discount) is below its product category's margin floor.",
    )
    price_override_reason = fields.Char(
        string="Override Reason",
        copy=False,
        help="Why the price was lowered below the contract or pricelist price (required).",
    )

    @api.depends("product_id", "price_unit", "technical_price_unit", "product_uom_qty", "order_id.pricelist_id")
    def _compute_price_source(self):
        currency_compare = self.env.company.currency_id.compare_amounts
        for line in self:
            if line.state not in ("draft", "sent") and line.price_source:
                continue  # kept as confirmed
            if not line.product_id or line.display_type:
                line.price_source = False
            elif currency_compare(line.price_unit, line.technical_price_unit):
                line.price_source = _("Manual price")
            elif line.pricelist_item_id.distribution_agreement_line_id:
                line.price_source = _("Contract %(name)s", name=line.pricelist_item_id.distribution_agreement_id.name)
            elif line.order_id.pricelist_id:
                line.price_source = _("Pricelist %(name)s", name=line.order_id.pricelist_id.name)
            else:
                line.price_source = _("Sales price")

    @api.depends("price_unit", "technical_price_unit", "discount", "purchase_price", "product_id.categ_id.margin_floor")
    def _compute_price_governance(self):
        for line in self:
            if not line.product_id or line.display_type or line.is_downpayment:
                line.is_price_override = line.is_below_margin_floor = False
                continue
            currency = line.currency_id or line.company_id.currency_id
            line.is_price_override = currency.compare_amounts(line.price_unit, line.technical_price_unit) < 0
            net_price = line.price_unit * (1 - line.discount / 100.0)
            if net_price <= 0:
                line.is_below_margin_floor = bool(line.purchase_price)
                continue
            margin = (net_price - line.purchase_price) / net_price * 100.0
            floor = line.product_id.categ_id._get_margin_floor(line.company_id)
            line.is_below_margin_floor = margin < floor - 1e-6

    @api.constrains("is_price_override", "price_override_reason")
    def _check_price_override_reason(self):
        for line in self.filtered(lambda line: line.is_price_override and line.state in ("draft", "sent")):
            if not (line.price_override_reason or "").strip():
                raise ValidationError(
                    _(
                        "Order %(order)s, line %(line)s: the price %(price)s is below the %(source)s price %(reference)s. "
                        "Give the override reason.",
                        order=line.order_id.name,
                        line=line.product_id.display_name,
                        price=line.price_unit,
                        source=_("contract") if line.pricelist_item_id.distribution_agreement_line_id else _("pricelist"),
                        reference=line.technical_price_unit,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.filtered("is_price_override")._log_price_overrides()
        return lines

    def write(self, vals):
        previous = {line.id: line.price_unit for line in self} if "price_unit" in vals else {}
        res = super().write(vals)
        if previous and not self.env.context.get("sale_write_from_compute"):
            changed = self.filtered(lambda line: line.is_price_override and line.price_unit != previous[line.id])
            changed._log_price_overrides()
        return res

    def _log_price_overrides(self):
        """Keep every override: who, when, from which price to which, and why."""
        self.env["distribution.price.override"].sudo().create(
            [
                {
                    "order_line_id": line.id,
                    "user_id": self.env.user.id,
                    "price_from": line.technical_price_unit,
                    "price_to": line.price_unit,
                    "price_source": line.pricelist_item_id.distribution_agreement_id.name
                    or line.order_id.pricelist_id.name,
                    "reason": line.price_override_reason,
                }
                for line in self
            ]
        )
