from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# What the pricelist engine prices a line from (its reference price and its own discount). The order's pricelist
# and date too, for quotations only: sale.order._refresh_pricelist_reference.
PRICELIST_INPUTS = (
    "product_id",
    "product_uom_id",
    "product_uom_qty",
    "product_no_variant_attribute_value_ids",
    "order_id.currency_id",
    "display_type",
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    price_source = fields.Char(
        compute="_compute_price_source",
        store=True,
        precompute=True,
        help="Where the unit price comes from: a contract (price agreement), a pricelist, or a manual "
        "override. Kept as it was when the order was confirmed.",
    )
    is_price_override = fields.Boolean(
        string="Price Overridden",
        compute="_compute_price_governance",
        store=True,
        precompute=True,
        help="The unit price was set by hand below the contract or pricelist price.",
    )
    is_below_margin_floor = fields.Boolean(
        compute="_compute_price_governance",
        store=True,
        precompute=True,
        help="The line's margin (after discount) is below its product category's margin floor.",
    )
    price_override_reason = fields.Char(
        string="Override Reason",
        copy=False,
        help="Why the price was lowered below the contract or pricelist price (required).",
    )

    distribution_pricelist_price = fields.Float(
        string="Pricelist Price",
        digits="Product Price",
        compute="_compute_distribution_pricelist_price",
        store=True,
        precompute=True,
        copy=False,
        help="The unit price Odoo's pricelist engine gives this line (the order's pricelist, contracts "
        "included, for this quantity, unit, date, currency and fiscal position): a lower unit price is an "
        "override, whichever way the line was made (form, RPC, import, copy). Kept as it was when the order "
        "was confirmed.",
    )

    distribution_pricelist_discount = fields.Float(
        string="Pricelist Discount (%)",
        digits="Discount",
        compute="_compute_distribution_pricelist_discount",
        store=True,
        precompute=True,
        copy=False,
        help="The discount the pricelist itself gives this line, where Odoo shows a percentage rule as a line "
        "discount (line discounts on): the approval matrix reads only the discount given beyond it. Kept as "
        "it was when the order was confirmed.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | {
            "distribution_pricelist_price", "distribution_pricelist_discount", "is_price_override",
            "is_below_margin_floor", "price_source",
        }

    def _is_price_governed(self):
        """Whether the line's unit price comes from the pricelist and so can be an override: product
        lines only. Sections and notes, down payments, delivery (freight) lines, global discounts,
        re-invoiced expenses and combo parents are priced otherwise."""
        self.ensure_one()
        return bool(
            self.product_id
            and not self.display_type
            and not self.is_downpayment
            and not self._is_delivery()
            and not self._is_global_discount()
            and not (self.is_expense and self.product_id.expense_policy == "cost")
            and self.product_type != "combo"
        )

    def _is_off_approved_terms(self):
        return super()._is_off_approved_terms() or (
            self._is_price_governed() and (self.is_price_override or self.is_below_margin_floor)
        )

    def _get_distribution_pricelist_price(self):
        """The unit price Odoo would set on this line from its pricelist (as ``_reset_price_unit`` does,
        taxes included where the product's taxes are)."""
        self.ensure_one()
        line = self.with_company(self.company_id)
        product_taxes = line.product_id.taxes_id._filter_taxes_by_company(line.company_id)
        return line.product_id._get_tax_included_unit_price_from_price(
            line._get_display_price(),
            product_taxes=product_taxes,
            fiscal_position=line.order_id.fiscal_position_id,
        )

    @api.depends(*PRICELIST_INPUTS, "order_id.fiscal_position_id")
    def _compute_distribution_pricelist_price(self):
        for line in self:
            if line.state not in ("draft", "sent") and line.distribution_pricelist_price:
                continue  # kept as confirmed
            line.distribution_pricelist_price = (
                line._get_distribution_pricelist_price() if line.order_id and line._is_price_governed() else 0.0
            )

    def _reset_price_unit(self):  # pylint: disable=missing-return  # returns nothing, as the method it extends
        super()._reset_price_unit()
        # Core has just priced a new line from its pricelist, exactly as _get_distribution_pricelist_price
        # would: that price is the line's reference, so the pricelist engine does not run twice for every
        # line typed or created. Lines given a price (RPC, import) never come here and are measured
        # against the engine's own price.
        if not self.id and not self._origin and self.order_id:
            self._update_cache(
                {"distribution_pricelist_price": self.price_unit if self._is_price_governed() else 0.0},
                validate=False,
            )

    @api.depends(*PRICELIST_INPUTS)
    def _compute_distribution_pricelist_discount(self):
        # Only where Odoo shows pricelist discounts on lines (a company-wide feature): elsewhere the line's
        # discount is all the rep's, and nothing is computed.
        shown = self.env["product.pricelist.item"]._is_discount_feature_enabled()
        for line in self:
            if line.state not in ("draft", "sent") and line.distribution_pricelist_discount:
                continue  # kept as confirmed
            line.distribution_pricelist_discount = (
                line._get_distribution_pricelist_discount()
                if shown and line.order_id and line._is_price_governed() else 0.0
            )

    def _get_distribution_pricelist_discount(self):
        """The discount (percent) Odoo puts on this line for its pricelist's percentage rule, as
        ``_compute_discount`` does; 0 when the rule shows no discount."""
        self.ensure_one()
        if not self.pricelist_item_id._show_discount():
            return 0.0
        line = self.with_company(self.company_id)
        base_price = line._get_pricelist_price_before_discount()
        if base_price <= 0:
            return 0.0
        discount = (base_price - line._get_pricelist_price()) / base_price * 100.0
        return max(discount, 0.0)

    def _get_approval_discount(self):
        # What the rep gave beyond the pricelist's own discount: 20% off from the contract and a line at 25%
        # is 6.25% more.
        discount = super()._get_approval_discount()
        own = self.distribution_pricelist_discount
        if not own or own >= 100.0 or not discount:
            return discount
        return max((1.0 - (1.0 - discount / 100.0) / (1.0 - own / 100.0)) * 100.0, 0.0)

    def _is_below_pricelist_price(self):
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id
        return (
            self._is_price_governed()
            and currency.compare_amounts(self.price_unit, self.distribution_pricelist_price) < 0
        )

    @api.depends("product_id", "price_unit", "distribution_pricelist_price")
    def _compute_price_source(self):
        translate = self.env._
        labels = {}  # translated once per compute, not once per line

        def label(source, name=None):
            if (source, name) not in labels:
                labels[source, name] = {
                    "manual": lambda: translate("Manual price"),
                    "contract": lambda: translate("Contract %(name)s", name=name),
                    "pricelist": lambda: translate("Pricelist %(name)s", name=name),
                    "list": lambda: translate("Sales price"),
                }[source]()
            return labels[source, name]

        for line in self:
            if line.state not in ("draft", "sent") and line.price_source:
                continue  # kept as confirmed
            if not line.product_id or line.display_type:
                line.price_source = False
            elif line._is_price_governed() and (line.currency_id or line.company_id.currency_id).compare_amounts(
                line.price_unit, line.distribution_pricelist_price
            ):
                line.price_source = label("manual")
            elif line.pricelist_item_id.distribution_agreement_line_id:
                line.price_source = label("contract", line.pricelist_item_id.distribution_agreement_id.name)
            elif line.order_id.pricelist_id:
                line.price_source = label("pricelist", line.order_id.pricelist_id.name)
            else:
                line.price_source = label("list")

    # Not purchase_price: Odoo recomputes the cost of confirmed lines at every reservation and delivery
    # (sale_stock_margin), which would re-judge what was approved, and each change walked back here. A
    # quotation line's cost is followed explicitly: _compute_purchase_price and write below.
    @api.depends("price_unit", "distribution_pricelist_price", "discount", "product_id.categ_id.margin_floor")
    def _compute_price_governance(self):
        for line in self:
            if not line.order_id or not line._is_price_governed():
                line.is_price_override = line.is_below_margin_floor = False
                continue
            line.is_price_override = line._is_below_pricelist_price()
            net_price = line.price_unit * (1 - line.discount / 100.0)
            if net_price <= 0:
                line.is_below_margin_floor = bool(line.purchase_price)
                continue
            margin = (net_price - line.purchase_price) / net_price * 100.0
            floor = line.product_id.categ_id._get_margin_floor(line.company_id)
            line.is_below_margin_floor = margin < floor - 1e-6

    def _compute_purchase_price(self):
        res = super()._compute_purchase_price()
        self._mark_price_governance_to_compute()
        return res

    def _mark_price_governance_to_compute(self):
        """The cost of these lines moved: the margin-floor check of those still on a quotation follows.
        Confirmed lines keep what they were approved with. New lines (being created) need nothing: their
        check is computed with them."""
        lines = self.filtered(lambda line: isinstance(line.id, int) and line.state in ("draft", "sent"))
        if lines:
            for name in ("is_price_override", "is_below_margin_floor"):
                self.env.add_to_compute(self._fields[name], lines)
            # and what reads them (a declared dependency would have marked it with them)
            for name in ("has_price_override", "has_margin_floor_breach"):
                self.env.add_to_compute(lines.order_id._fields[name], lines.order_id)

    @api.model
    def _recheck_margin_floors(self, domain):
        """Recompute the price governance of the quotation lines matching ``domain`` (a floor they inherit
        changed); confirmed orders keep what they were approved with."""
        lines = self.sudo().search(domain + [("state", "in", ("draft", "sent")), ("display_type", "=", False)])
        if not lines:
            return
        for name in ("is_below_margin_floor", "is_price_override"):
            self.env.add_to_compute(self._fields[name], lines)
        lines._recompute_recordset(["is_below_margin_floor", "is_price_override"])
        orders = lines.order_id
        names = ["has_price_override", "has_margin_floor_breach"]
        for name in names:
            self.env.add_to_compute(orders._fields[name], orders)
        orders._recompute_recordset(names)

    @api.constrains("is_price_override", "price_override_reason")
    def _check_price_override_reason(self):
        for line in self.filtered(lambda line: line.is_price_override and line.state in ("draft", "sent")):
            if not line.company_id.distribution_override_reason_required:
                continue
            if not (line.price_override_reason or "").strip():
                raise ValidationError(
                    _(
                        "Order %(order)s, line %(line)s: the price %(price)s is below the %(source)s price "
                        "%(reference)s. Give the override reason.",
                        order=line.order_id.name,
                        line=line.product_id.display_name,
                        price=line.price_unit,
                        source=_("contract")
                        if line.pricelist_item_id.distribution_agreement_line_id
                        else _("pricelist"),
                        reference=line.distribution_pricelist_price,
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
        if "purchase_price" in vals:
            self._mark_price_governance_to_compute()
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
                    "price_from": line.distribution_pricelist_price,
                    "price_to": line.price_unit,
                    "price_source": line.pricelist_item_id.distribution_agreement_id.name
                    or line.order_id.pricelist_id.name,
                    "reason": line.price_override_reason,
                }
                for line in self
            ]
        )
