from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class DistributionPriceAgreement(models.Model):
    """Contract prices agreed with a customer (or with every customer of a class) for a period.

    Activating an agreement (re)builds the contract pricelist of its customer or class: one pricelist
    rule per agreement line, dated with the agreement's validity, falling back to the pricelist the
    customer had before. Odoo's pricelist engine computes every price; the agreement only writes rules.
    """

    _name = "distribution.price.agreement"
    _description = "Price Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: _("New"), tracking=True)
    title = fields.Char(help="What the agreement is about (e.g. 2027 framework contract).")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The customer company (commercial partner) the prices are agreed with. Leave empty to "
        "agree them with every customer of a class.",
    )
    customer_class_id = fields.Many2one(
        "distribution.customer.class",
        index=True,
        tracking=True,
        check_company=True,
        help="Agree the prices with every customer of this class (e.g. all retail chains).",
    )
    date_start = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(required=True, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("expired", "Expired"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, tracking=True
    )
    line_ids = fields.One2many("distribution.price.agreement.line", "agreement_id", string="Prices", copy=True)
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Contract Pricelist",
        readonly=True,
        copy=False,
        help="The pricelist this agreement's prices are written into.",
    )
    renewed_from_id = fields.Many2one("distribution.price.agreement", readonly=True, copy=False)
    note = fields.Html()

    @api.constrains("partner_id", "customer_class_id")
    def _check_scope(self):
        for agreement in self:
            if bool(agreement.partner_id) == bool(agreement.customer_class_id):
                raise ValidationError(
                    _(
                        "Price agreement %(name)s: choose either a customer or a customer class (one of the two).",
                        name=agreement.name,
                    )
                )
            if agreement.partner_id and agreement.partner_id != agreement.partner_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "Price agreement %(name)s: agree prices with the company %(company)s, not with its contact "
                        "%(contact)s.",
                        name=agreement.name,
                        company=agreement.partner_id.commercial_partner_id.display_name,
                        contact=agreement.partner_id.display_name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if agreement.date_end < agreement.date_start:
                raise ValidationError(
                    _(
                        "Price agreement %(name)s ends (%(end)s) before it starts (%(start)s).",
                        name=agreement.name,
                        end=agreement.date_end,
                        start=agreement.date_start,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("distribution.price.agreement") or _("New")
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if {"date_start", "date_end", "line_ids", "currency_id"} & set(vals):
            active = self.filtered(lambda agreement: agreement.state == "active")
            active._check_activable()
            active._sync_contract_pricelists()
        return res

    # --- rules -----------------------------------------------------------------------------------------
    def _scope_domain(self):
        self.ensure_one()
        if self.partner_id:
            return [("partner_id", "=", self.partner_id.id)]
        return [("customer_class_id", "=", self.customer_class_id.id)]

    def _check_activable(self):
        """Refuse what would make prices ambiguous or wrong: an overlap with another active agreement of
        the same customer on the same product or category, or a currency without a rate."""
        for agreement in self:
            if not agreement.line_ids:
                raise ValidationError(_("Price agreement %(name)s has no price line.", name=agreement.name))
            company_currency = agreement.company_id.currency_id
            if agreement.currency_id != company_currency:
                has_rate = self.env["res.currency.rate"].search_count(
                    [
                        ("currency_id", "=", agreement.currency_id.id),
                        ("company_id", "in", (agreement.company_id.id, False)),
                        ("name", "<=", agreement.date_start),
                    ],
                    limit=1,
                )
                if not has_rate:
                    raise ValidationError(
                        _(
                            "Price agreement %(name)s is in %(currency)s but %(company)s has no %(currency)s rate "
                            "on or before %(date)s: add one (Accounting > Configuration > Currencies).",
                            name=agreement.name,
                            currency=agreement.currency_id.name,
                            company=agreement.company_id.name,
                            date=agreement.date_start,
                        )
                    )
            others = self.search(
                agreement._scope_domain()
                + [
                    ("id", "!=", agreement.id),
                    ("company_id", "=", agreement.company_id.id),
                    ("state", "=", "active"),
                    ("date_start", "<=", agreement.date_end),
                    ("date_end", ">=", agreement.date_start),
                ]
            )
            for line in agreement.line_ids:
                clash = others.line_ids.filtered(lambda other, line=line: other._target() == line._target())
                if clash:
                    raise ValidationError(
                        _(
                            "Price agreement %(name)s, line %(line)s overlaps %(other)s (%(start)s - %(end)s) "
                            "for the same customer and %(target)s.",
                            name=agreement.name,
                            line=line.display_name,
                            other=clash[0].agreement_id.name,
                            start=clash[0].agreement_id.date_start,
                            end=clash[0].agreement_id.date_end,
                            target=line._target().display_name,
                        )
                    )

    def _check_manager(self):
        if not self.env.user.has_group("sales_team.group_sale_manager") and not self.env.su:
            raise AccessError(
                _("Only a sales manager can activate, cancel or renew price agreements (%(names)s).",
                  names=", ".join(self.mapped("name")))
            )

    # --- actions ---------------------------------------------------------------------------------------
    def action_activate(self):
        self._check_manager()
        drafts = self.filtered(lambda agreement: agreement.state == "draft")
        drafts._check_activable()
        today = fields.Date.context_today(self)
        expired = drafts.filtered(lambda agreement: agreement.date_end < today)
        if expired:
            raise UserError(
                _(
                    "Price agreement %(names)s ended before today: renew it instead.",
                    names=", ".join(expired.mapped("name")),
                )
            )
        drafts.write({"state": "active"})
        self._enable_pricelists()
        drafts._sync_contract_pricelists()
        return True

    def _enable_pricelists(self):
        """Contract prices live in pricelists: switch Odoo's pricelist feature on, as the Sales setting
        does, the first time an agreement is activated."""
        group_user = self.env.ref("base.group_user").sudo()
        group_pricelist = self.env.ref("product.group_product_pricelist")
        if group_pricelist not in group_user.implied_ids:
            group_user.write({"implied_ids": [Command.link(group_pricelist.id)]})

    def action_cancel(self):
        self._check_manager()
        to_cancel = self.filtered(lambda agreement: agreement.state in ("draft", "active"))
        was_active = to_cancel.filtered(lambda agreement: agreement.state == "active")
        to_cancel.write({"state": "cancelled"})
        was_active._sync_contract_pricelists()
        return True

    def action_reset_to_draft(self):
        self._check_manager()
        self.filtered(lambda agreement: agreement.state == "cancelled").write({"state": "draft"})
        return True

    def action_renew(self):
        """Copy the agreement for the period that follows it (same length), as a draft to review."""
        self._check_manager()
        renewals = self.env["distribution.price.agreement"]
        for agreement in self:
            length = agreement.date_end - agreement.date_start
            start = agreement.date_end + relativedelta(days=1)
            renewals |= agreement.copy(
                {"date_start": start, "date_end": start + length, "renewed_from_id": agreement.id}
            )
        if len(renewals) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": self._name,
                "res_id": renewals.id,
                "view_mode": "form",
            }
        return True

    @api.model
    def _cron_update_states(self):
        """Daily: agreements past their end date expire and leave the contract pricelist (their rules
        were already dated, so prices fell back the day after the end)."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "active"), ("date_end", "<", today)])
        expired.write({"state": "expired"})
        expired._sync_contract_pricelists()

    # --- contract pricelists ---------------------------------------------------------------------------
    def _sync_contract_pricelists(self):
        """Rebuild the contract pricelist of every customer and class these agreements cover, from all
        their active agreements. Idempotent."""
        Pricelist = self.env["product.pricelist"].sudo()
        for company, agreements in self.grouped("company_id").items():
            # Classes first: a customer's own contract falls back to its class's.
            for customer_class in agreements.customer_class_id:
                pricelist = Pricelist._distribution_contract_pricelist(company, customer_class=customer_class)
                pricelist._distribution_rebuild()
                agreements.filtered(lambda a, c=customer_class: a.customer_class_id == c).pricelist_id = pricelist
            for partner in agreements.partner_id:
                pricelist = Pricelist._distribution_contract_pricelist(company, partner=partner)
                pricelist._distribution_rebuild()
                agreements.filtered(lambda a, p=partner: a.partner_id == p).pricelist_id = pricelist


class DistributionPriceAgreementLine(models.Model):
    _name = "distribution.price.agreement.line"
    _description = "Price Agreement Line"
    _order = "agreement_id, sequence, min_quantity, id"

    agreement_id = fields.Many2one("distribution.price.agreement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one("product.product", index=True, check_company=True)
    categ_id = fields.Many2one("product.category", string="Product Category", index=True)
    min_quantity = fields.Float(
        string="From Quantity",
        default=0.0,
        digits="Product Unit",
        help="Volume break: the price applies from this quantity (in the product's unit) on one line.",
    )
    compute_price = fields.Selection(
        [("fixed", "Fixed price"), ("discount", "Discount off base price")],
        required=True,
        default="fixed",
    )
    fixed_price = fields.Monetary(currency_field="currency_id")
    discount = fields.Float(string="Discount (%)", digits="Discount")

    @api.depends("product_id", "categ_id", "min_quantity")
    def _compute_display_name(self):
        for line in self:
            target = line.product_id.display_name or line.categ_id.display_name or "?"
            line.display_name = f"{target} ≥ {line.min_quantity:g}" if line.min_quantity else target

    def _target(self):
        self.ensure_one()
        return self.product_id or self.categ_id

    @api.constrains("product_id", "categ_id", "fixed_price", "discount", "min_quantity", "compute_price")
    def _check_values(self):
        for line in self:
            name = line.agreement_id.name
            if bool(line.product_id) == bool(line.categ_id):
                raise ValidationError(
                    _(
                        "Price agreement %(name)s: each line applies to a product or to a category (one of the two).",
                        name=name,
                    )
                )
            if line.compute_price == "fixed" and line.fixed_price < 0:
                raise ValidationError(
                    _(
                        "Price agreement %(name)s, line %(line)s: the price cannot be negative.",
                        name=name,
                        line=line.display_name,
                    )
                )
            if line.compute_price == "discount" and not 0 <= line.discount <= 100:
                raise ValidationError(
                    _(
                        "Price agreement %(name)s, line %(line)s: the discount must be between 0%% and 100%% "
                        "(got %(discount)s%%).",
                        name=name,
                        line=line.display_name,
                        discount=line.discount,
                    )
                )
            if line.min_quantity < 0:
                raise ValidationError(
                    _(
                        "Price agreement %(name)s, line %(line)s: the quantity cannot be negative.",
                        name=name,
                        line=line.display_name,
                    )
                )
        for agreement in self.agreement_id:
            agreement.line_ids._check_breaks_increase()

    def _check_breaks_increase(self):
        """Volume breaks of one product or category: each break starts at a higher quantity."""
        by_target = {}
        for line in self.sorted(lambda line: (line.sequence, line.id)):
            by_target.setdefault(line._target(), []).append(line)
        for lines in by_target.values():
            for previous, line in zip(lines, lines[1:], strict=False):
                if line.min_quantity <= previous.min_quantity:
                    raise ValidationError(
                        _(
                            "Price agreement %(name)s: the volume breaks of %(target)s must increase: "
                            "line %(line)s comes after line %(previous)s.",
                            name=line.agreement_id.name,
                            target=line._target().display_name,
                            line=line.display_name,
                            previous=previous.display_name,
                        )
                    )

    def _prepare_pricelist_item_vals(self, pricelist, fallback):
        """The pricelist rule that applies this line: Odoo's engine computes the price."""
        self.ensure_one()
        agreement = self.agreement_id
        vals = {
            "pricelist_id": pricelist.id,
            "distribution_agreement_line_id": self.id,
            "min_quantity": self.min_quantity,
            "date_start": fields.Datetime.to_datetime(agreement.date_start),
            "date_end": fields.Datetime.to_datetime(agreement.date_end) + relativedelta(days=1, seconds=-1),
        }
        if self.product_id:
            vals.update(applied_on="0_product_variant", product_id=self.product_id.id)
        else:
            vals.update(applied_on="2_product_category", categ_id=self.categ_id.id)
        if self.compute_price == "fixed":
            vals.update(compute_price="fixed", fixed_price=self.fixed_price)
        elif fallback:
            vals.update(
                compute_price="percentage", percent_price=self.discount, base="pricelist", base_pricelist_id=fallback.id
            )
        else:
            vals.update(compute_price="percentage", percent_price=self.discount, base="list_price")
        return vals


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    distribution_partner_id = fields.Many2one("res.partner", string="Contract Customer", readonly=True, index=True)
    distribution_class_id = fields.Many2one(
        "distribution.customer.class", string="Contract Class", readonly=True, index=True
    )
    distribution_fallback_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Fallback Pricelist",
        help="Prices of everything the contract does not cover come from this pricelist.",
    )

    @api.model
    def _distribution_contract_pricelist(self, company, partner=None, customer_class=None):
        """The contract pricelist of a customer or class in a company, created on first use with the
        customer's current pricelist (or its class's contract pricelist) as fallback."""
        domain = [("company_id", "=", company.id)]
        domain += (
            [("distribution_partner_id", "=", partner.id)]
            if partner
            else [("distribution_class_id", "=", customer_class.id)]
        )
        pricelist = self.with_context(active_test=False).search(domain, limit=1)
        if pricelist:
            return pricelist
        if partner:
            partner = partner.with_company(company)
            class_pricelist = (
                self.search(
                    [("company_id", "=", company.id), ("distribution_class_id", "=", partner.distribution_class_id.id)],
                    limit=1,
                )
                if partner.distribution_class_id
                else self
            )
            fallback = (
                class_pricelist or partner.specific_property_product_pricelist or partner.property_product_pricelist
            )
            name = _("Contract: %(customer)s", customer=partner.name)
        else:
            fallback = self.search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("distribution_partner_id", "=", False),
                    ("distribution_class_id", "=", False),
                ],
                limit=1,
            )
            name = _("Contract: %(customer_class)s", customer_class=customer_class.name)
        return self.create(
            {
                "name": name,
                "company_id": company.id,
                "currency_id": (fallback.currency_id or company.currency_id).id,
                "distribution_partner_id": partner.id if partner else False,
                "distribution_class_id": customer_class.id if customer_class else False,
                "distribution_fallback_pricelist_id": fallback.id if fallback else False,
            }
        )

    def _distribution_agreements(self):
        self.ensure_one()
        scope = (
            [("partner_id", "=", self.distribution_partner_id.id)]
            if self.distribution_partner_id
            else [("customer_class_id", "=", self.distribution_class_id.id)]
        )
        return self.env["distribution.price.agreement"].sudo().search(
            scope + [("company_id", "=", self.company_id.id), ("state", "=", "active")]
        )

    def _distribution_rebuild(self):
        """Rewrite the rules of this contract pricelist from its active agreements, then assign it to
        the customers it serves."""
        for pricelist in self:
            agreements = pricelist._distribution_agreements()
            currency = agreements[:1].currency_id or pricelist.currency_id
            fallback = pricelist.distribution_fallback_pricelist_id
            item_vals = [line._prepare_pricelist_item_vals(pricelist, fallback) for line in agreements.line_ids]
            if fallback:
                item_vals.append(
                    {
                        "pricelist_id": pricelist.id,
                        "applied_on": "3_global",
                        "compute_price": "formula",
                        "base": "pricelist",
                        "base_pricelist_id": fallback.id,
                        "price_discount": 0.0,
                    }
                )
            pricelist.write(
                {"currency_id": currency.id, "item_ids": [Command.clear()] + [Command.create(v) for v in item_vals]}
            )
            pricelist._distribution_assign()

    def _distribution_assign(self):
        """Customers of a contract pricelist use it: the customer itself, or every customer of the class
        that has no contract pricelist of its own (whose own contract falls back to the class's)."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo().with_company(self.company_id)
        if self.distribution_partner_id:
            customers = self.distribution_partner_id
        else:
            customers = Partner.search(
                [("distribution_class_id", "=", self.distribution_class_id.id), ("is_company", "=", True)]
            )
            own_contracts = self.search(
                [("company_id", "=", self.company_id.id), ("distribution_partner_id", "in", customers.ids)]
            )
            own_contracts.filtered(lambda p: not p.distribution_fallback_pricelist_id.distribution_class_id).write(
                {"distribution_fallback_pricelist_id": self.id}
            )
            customers -= own_contracts.distribution_partner_id
        customers.with_company(self.company_id).write({"specific_property_product_pricelist": self.id})


    def _get_partner_pricelist_multi_search_domain_hook(self, company_id):
        # A contract pricelist is given to its customers explicitly (their own pricelist); it is never the
        # fallback Odoo picks for everyone else (on a database with no other pricelist it would be).
        return super()._get_partner_pricelist_multi_search_domain_hook(company_id) + [
            ("distribution_partner_id", "=", False),
            ("distribution_class_id", "=", False),
        ]


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    distribution_agreement_line_id = fields.Many2one(
        "distribution.price.agreement.line",
        string="Agreement Line",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
    )
    distribution_agreement_id = fields.Many2one(
        related="distribution_agreement_line_id.agreement_id", string="Price Agreement"
    )
