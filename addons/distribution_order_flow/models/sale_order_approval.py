"""Approvals of sale orders: the approval matrix (tier reviews), what still needs approval and why, approval
bound to what was approved (restarted on change), customer acceptance while under approval, and new prices
on confirmed orders waiting for another sales manager."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime


class SaleOrder(models.Model):
    # One file per feature of the order, so that each behaviour is found by its name.
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    approval_summary = fields.Html(
        compute="_compute_approval_summary",
        sanitize=False,  # built from escaped values only
        help="What still needs approval before the quotation can be confirmed: each rule that applies, why, "
        "and who approves it.",
    )
    distribution_customer_accepted = fields.Datetime(
        string="Accepted by Customer",
        copy=False,
        readonly=True,
        help="When the customer signed or paid the quotation online while it still needed approvals: it is "
        "confirmed once approved.",
    )
    distribution_reprice_pending = fields.Boolean(
        string="New Prices to Approve",
        copy=False,
        readonly=True,
        tracking=True,
        help="A sales manager changed a price or a discount after confirmation: another sales manager must "
        "approve the new prices before anything is invoiced on delivery.",
    )
    distribution_repriced_by_id = fields.Many2one(
        "res.users", string="Repriced By", copy=False, readonly=True,
        help="Who changed the prices of the confirmed order last; they cannot approve their own change.",
    )

    # ------------------------------------------------------------------------------------------------
    # Prices changed after confirmation
    # ------------------------------------------------------------------------------------------------
    def _mark_repriced(self, lines, before):
        """A sales manager changed prices or discounts of these confirmed orders, or added ``lines`` off the
        pricelist's terms: the new prices wait for another sales manager's approval, and nothing is
        invoiced on delivery meanwhile; each line is on its order's chatter. ``before``: {line id: (price,
        discount)} as they were (lines missing from it were added)."""
        self.sudo().write({"distribution_reprice_pending": True, "distribution_repriced_by_id": self.env.user.id})
        for line in lines:
            values = {"product": line.product_id.display_name, "user": self.env.user.name,
                      "price": line.price_unit, "discount": line.discount}
            if line.id in before:
                body = _(
                    "%(product)s repriced on the confirmed order by %(user)s: %(old_price)s (discount "
                    "%(old_discount)s%%) to %(price)s (discount %(discount)s%%).",
                    old_price=before[line.id][0], old_discount=before[line.id][1], **values,
                )
            else:
                body = _(
                    "%(product)s added to the confirmed order by %(user)s at %(price)s (discount %(discount)s%%): "
                    "the new prices wait for another sales manager's approval.",
                    **values,
                )
            line.order_id.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _check_repricing_approver(self):
        user = self.env.user
        if not user.has_group("sales_team.group_sale_manager"):
            raise AccessError(_("Only a sales manager can approve the new prices of %(orders)s.",
                                orders=", ".join(self.mapped("name"))))
        for order in self:
            if user in (order.distribution_repriced_by_id | order.user_id):
                raise UserError(
                    _(
                        "%(user)s cannot approve the new prices of %(order)s: they changed them or are its "
                        "salesperson. Another sales manager approves.",
                        user=user.name,
                        order=order.name,
                    )
                )

    def action_approve_repricing(self):
        orders = self.filtered("distribution_reprice_pending")
        orders._check_repricing_approver()
        orders.sudo().write({"distribution_reprice_pending": False})
        for order in orders:
            order.message_post(
                body=_("New prices approved by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        orders._on_repricing_approved()
        orders._invoice_after_hold()
        return True

    def _on_repricing_approved(self):
        """Hook: the exceptions module closes the price-override items of the repricing."""

    @api.model
    def _get_approval_order_fields(self):
        """Order fields the approval matrix reads (directly or through the indicators): changing one after
        the order was submitted for approval restarts the approval. Extension point."""
        return {
            "partner_id", "payment_term_id", "pricelist_id", "currency_id", "company_id", "fiscal_position_id",
            "order_line",
        }

    def _get_reviewed_orders(self, vals, watched_fields):
        """The quotations among these that have reviews (submitted, approved or rejected) and whose watched
        fields ``vals`` really changes. Read before the write."""
        if not watched_fields & set(vals):
            return self.browse()
        reviewed = self.filtered(lambda order: order.state in ("draft", "sent") and order.review_ids)
        changed = self.browse()
        for order in reviewed:
            for name in watched_fields & set(vals):
                if name == "order_line":
                    if order.order_line._commands_change_approval(vals[name]):
                        changed |= order
                        break
                    continue
                field = order._fields[name]
                new = field.convert_to_record(field.convert_to_cache(vals[name], order), order)
                if new != order[name]:
                    changed |= order
                    break
        return changed

    def _restart_approval_after_change(self, changed_fields):
        """An approval is bound to what was approved: a change of what the matrix reads throws the reviews
        away (as base_tier_validation's Restart does), says so on the chatter and asks again for the rules
        the order matches now, so the reviewers are notified."""
        self.sudo().restart_validation()
        self._request_approval_after_change(changed_fields)

    def _request_approval_after_change(self, changed_fields):
        for order in self:
            labels = sorted({order._fields[name].string for name in changed_fields if name in order._fields})
            order.message_post(
                body=_(
                    "Approval restarted: %(fields)s changed by %(user)s after the order was submitted for approval.",
                    fields=", ".join(labels),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if order.need_validation:
                order.request_validation()

    # ------------------------------------------------------------------------------------------------
    # Approvals
    # ------------------------------------------------------------------------------------------------
    def _get_applicable_tier_definitions(self):
        """The active tier definitions (approval rules) the order matches now."""
        self.ensure_one()
        definitions = self.env["tier.definition"].search(
            [("model", "=", self._name), ("company_id", "in", [False, self.company_id.id])]
        )
        return definitions.filtered(lambda definition: self.evaluate_tier(definition))

    def _get_missing_approvals(self):
        """Rules the order matches that have no approved review: [(definition, who approves)]."""
        self.ensure_one()
        # base_tier_validation's need_validation evaluates the same rules (and the confirmation's write
        # check reads it again): without reviews, it says whether any rule applies. Not cached across
        # changes (it has no dependencies), so it is asked afresh.
        self.invalidate_recordset(["need_validation"])
        if not self.review_ids and not self.need_validation:
            return []
        applicable = self._get_applicable_tier_definitions()
        if not applicable:
            return []  # the usual case: no rule applies, no review to read
        approved = self.review_ids.filtered(lambda review: review.status == "approved").definition_id
        missing = []
        for definition in applicable - approved:
            review = self.review_ids.filtered(lambda r, d=definition: r.definition_id == d)[:1]
            if review:
                approver = review.todo_by or ", ".join(review.reviewer_ids.mapped("name"))
            elif definition.review_type == "group":
                # Who could approve it: the role's users, never the order's own salesperson.
                reviewers = definition.sudo().reviewer_group_id.user_ids.filtered(lambda user: not user.share)
                approver = definition._get_reviewer_label(reviewers - self.user_id)
            else:
                approver = definition.reviewer_id.name or definition.reviewer_field_id.field_description
            missing.append((definition, approver))
        return missing

    def _get_approval_facts(self, definition):
        """Why ``definition`` applies to this order, in words, one fact per indicator its domain reads.
        Extension point: a module adding an indicator adds its facts."""
        self.ensure_one()
        domain = definition.definition_domain or ""
        facts = []
        if "max_discount" in domain:
            facts.append(_("largest discount %(discount)s%%", discount=round(self.max_discount, 2)))
        if "margin_percent" in domain:
            facts.append(_("order margin %(margin)s%%", margin=round(self.margin_percent * 100.0, 1)))
        if "credit_limit_exceeded" in domain and self.credit_limit_exceeded:
            facts.append(_("the customer would be over its credit limit"))
        if "credit_overdue" in domain and self.credit_overdue:
            facts.append(_("the customer has invoices overdue"))
        if "has_nonstandard_terms" in domain and self.has_nonstandard_terms:
            facts.append(_("payment terms %(terms)s instead of the customer's own",
                           terms=self.payment_term_id.name or _("none")))
        if "has_price_override" in domain:
            facts.extend(self._get_price_override_summary())
        if "has_margin_floor_breach" in domain:
            facts.extend(self._get_margin_floor_summary())
        return facts

    def _compute_approval_summary(self):
        for order in self:
            saved = order._origin
            if not saved.id or saved.state not in ("draft", "sent"):
                order.approval_summary = False
                continue
            missing = saved._get_missing_approvals()
            if not missing:
                order.approval_summary = False
                continue
            items = Markup("")
            for definition, approver in missing:
                facts = saved._get_approval_facts(definition)
                why = Markup(" (%s)") % "; ".join(facts) if facts else ""
                items += Markup("<li><strong>%s</strong>%s: %s</li>") % (
                    definition.name, why, _("to be approved by %(approver)s", approver=approver)
                )
            hint = saved._get_approval_next_step()
            order.approval_summary = Markup(
                "<p class='mb-1'><strong>%s</strong></p><ul class='mb-1'>%s</ul><p class='mb-0'>%s</p>"
            ) % (_("Needs approval before it can be confirmed:"), items, hint)

    def _confirmation_error_message(self):
        # Every confirmation path (form button, RPC, portal signature, payment, automation) goes
        # through action_confirm and this check: an order breaking a rule needs its approvals.
        error = super()._confirmation_error_message()
        if error or set(self.ids) <= self.env.cr.cache.get("distribution_approvals_checked", set()):
            return error  # action_confirm checked these very orders a moment ago
        return self._get_approval_error_message()

    def _get_approval_next_step(self):
        """What the salesperson does next about the approvals still missing (the confirmation's refusal and
        the quotation's approval box say the same)."""
        self.ensure_one()
        if self.validation_status == "rejected":
            return _("A review was rejected: change the order, then restart the validation.")
        if self.review_ids:
            return _("Wait for these approvals, or restart the validation if the order changed.")
        return _("Request the validation first.")

    def _get_approval_error_message(self):
        """Why the order cannot be confirmed yet for lack of approvals, or False."""
        self.ensure_one()
        self._refresh_credit_exposure()
        missing = self._get_missing_approvals()
        if not missing:
            return False
        rules = "\n".join(
            _("- %(rule)s: to be approved by %(approver)s", rule=definition.name, approver=approver)
            for definition, approver in missing
        )
        hint = self._get_approval_next_step()
        return _(
            "Order %(order)s cannot be confirmed before these approvals:\n%(rules)s\n%(hint)s",
            order=self.name,
            rules=rules,
            hint=hint,
        )

    def action_confirm(self):
        # Missing approvals are a validation error, as base_tier_validation raises it when the state is
        # written (a ValidationError is a UserError: callers catching either see it). When the customer
        # confirms (portal signature or payment), the acceptance is kept and the order waits for review.
        # Honoured only on the customer-side paths, which run elevated (the portal's order_sudo, a payment's
        # post-processing): a user's RPC call carrying the key still gets the refusal.
        customer_confirmation = self.env.su and self.env.context.get("distribution_customer_confirmation")
        waiting = self.browse()
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            if error := order._get_approval_error_message():
                if not customer_confirmation:
                    raise ValidationError(error)
                order._hold_customer_confirmation()
                waiting |= order
        self -= waiting
        if not self:
            return True
        # Record where the order stood (e.g. approved) before confirmation moves it on.
        self.flush_recordset(["flow_state"])
        # The orders just checked, kept on the cursor (server side, per transaction) rather than in the
        # context: a context key would be a client's to send, and an order-specific context is a new
        # environment for every confirmation (slower ORM lookups for the rest of the transaction).
        checked = self.env.cr.cache.setdefault("distribution_approvals_checked", set())
        checked.update(self.ids)
        try:
            return super().action_confirm()
        finally:
            checked.difference_update(self.ids)

    def _validate_order(self):
        # The portal's signature (and Odoo's other customer-side confirmations) confirm through here.
        return super(SaleOrder, self.with_context(distribution_customer_confirmation=True))._validate_order()

    def _hold_customer_confirmation(self):
        """The customer signed or paid an order that needs approvals: keep what they did, put the order
        to approval (the reviewers are notified) and tell its salesperson. The customer sees only that the
        order is being reviewed."""
        self.ensure_one()
        order = self.sudo()
        first = not order.distribution_customer_accepted
        if first:
            order.distribution_customer_accepted = fields.Datetime.now()
        if order.validation_status == "rejected":
            order.restart_validation()
        if not order.review_ids:
            order.request_validation()
        if first:
            order.message_post(
                body=_(
                    "The customer accepted the quotation (signature or payment); it needs approvals before it "
                    "is confirmed: %(rules)s. Confirm it once approved.",
                    rules=", ".join(definition.name for definition, _approver in order._get_missing_approvals()),
                ),
                subtype_xmlid="mail.mt_note",
            )
            order._on_customer_confirmation_held()

    @api.model
    def _get_customer_acceptance_fields(self):
        """What the customer's online acceptance writes: kept while the order is reviewed."""
        return ["signature", "signed_by", "signed_on", "distribution_customer_accepted"]

    @api.model
    def _get_under_validation_exceptions(self):
        return super()._get_under_validation_exceptions() + self._get_customer_acceptance_fields()

    @api.model
    def _get_after_validation_exceptions(self):
        return super()._get_after_validation_exceptions() + self._get_customer_acceptance_fields()

    def _on_customer_confirmation_held(self):
        """Hook: the exceptions module queues an item for the salesperson."""

    def _action_cancel(self):
        self.flush_recordset(["flow_state"])
        return super()._action_cancel()

    def action_draft(self):
        self.flush_recordset(["flow_state"])
        return super().action_draft()

    def request_validation(self):
        self._refresh_credit_exposure()
        return super().request_validation()

    def _check_reviewer_is_not_salesperson(self):
        for order in self:
            if order.user_id and order.user_id == self.env.user and not self.env.su:
                raise UserError(
                    _(
                        "%(user)s cannot approve or reject order %(order)s: they are its salesperson.",
                        user=self.env.user.name,
                        order=order.name,
                    )
                )

    def _check_reviewer_can_review(self):
        for order in self:
            pending = order.review_ids.filtered(lambda r: r.status in ("waiting", "pending"))
            # Nothing waits for a review: nothing to approve, as in base_tier_validation.
            if pending and not order._get_sequences_to_approve(self.env.user):
                raise UserError(
                    _(
                        "%(user)s has no review to make on order %(order)s. Pending: %(pending)s.",
                        user=self.env.user.name,
                        order=order.name,
                        pending=", ".join(f"{r.name} ({r.todo_by})" for r in pending),
                    )
                )

    def validate_tier(self):
        self._check_reviewer_is_not_salesperson()
        self._check_reviewer_can_review()
        return super().validate_tier()

    def reject_tier(self):
        self._check_reviewer_is_not_salesperson()
        self._check_reviewer_can_review()
        return super().reject_tier()

    def _validate_tier(self, tiers=False):
        # The approval button and the comment wizard both approve through here.
        res = super()._validate_tier(tiers)
        self._confirm_after_customer_acceptance()
        return res

    def _confirm_after_customer_acceptance(self):
        """The customer signed or paid while the order waited for approvals: once its last approval is
        given, the order is confirmed as the customer asked, in the name of the reviewer who gave it. The
        confirmation is the system's (the reviewer, a credit controller for instance, may have no sales
        rights) and runs every confirmation check again: an order still missing an approval waits."""
        for order in self.filtered(lambda o: o.state in ("draft", "sent") and o.distribution_customer_accepted):
            if order.validation_status != "validated" or order._get_approval_error_message():
                continue
            try:
                with self.env.cr.savepoint():
                    order.sudo().action_confirm()
                    order.flush_recordset(["flow_state"])  # the confirmation's flow event, in the reviewer's name
            except UserError as error:  # ValidationError included
                # The approval stands; the salesperson confirms once the problem is solved.
                order.sudo().message_post(
                    body=_(
                        "Approved by %(user)s, but the order the customer accepted could not be confirmed: "
                        "%(error)s",
                        user=self.env.user.name,
                        error=error.args[0] if error.args else error,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            order.sudo().message_post(
                body=_(
                    "Confirmed on approval by %(user)s: the customer accepted the order on %(date)s.",
                    user=self.env.user.name,
                    date=format_datetime(self.env, order.distribution_customer_accepted),
                ),
                subtype_xmlid="mail.mt_note",
            )
