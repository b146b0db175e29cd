from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import clean_context

CONSENT_ACTIVITY_XMLID = "distribution_order_flow.mail_activity_type_substitution_consent"


class SaleOrderLine(models.Model):
    """Substitution on confirmed orders and their backorders.

    The quantity of a line that its delivery cannot reserve (and that nobody picked) moves to a listed
    substitute: the line's ordered quantity drops by that much and a new line sells the substitute, priced by
    the order's pricelist. Odoo's own procurement (``_action_launch_stock_rule``) then takes the quantity off
    the open delivery move and creates the substitute's move. Whether the customer is asked first is the
    consent rule of their class (``distribution.customer.class.substitution_consent``)."""

    # A feature of its own (substitution), beside sale_order_line.py (order flow) and sale_order_line_atp.py.
    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    distribution_short_qty = fields.Float(
        string="Short Quantity",
        compute="_compute_distribution_short_qty",
        digits="Product Unit",
        help="On a confirmed order: what the line's open delivery cannot reserve from stock and nobody picked, "
        "in the line's unit. It can be substituted.",
    )
    distribution_substitute_proposed_id = fields.Many2one(
        "product.product",
        string="Substitute Proposed",
        readonly=True,
        copy=False,
        help="A substitute proposed to the customer for the short quantity, waiting for their answer.",
    )
    distribution_substitute_activity_id = fields.Many2one(
        "mail.activity",
        string="Consent To-Do",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The salesperson's to-do to collect the customer's answer to the proposed substitute.",
    )
    distribution_substituted_line_id = fields.Many2one(
        "sale.order.line",
        string="Substitute For",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The line whose short quantity this line sells instead, with a substitute.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | {
            "distribution_substitute_proposed_id", "distribution_substitute_activity_id",
            "distribution_substituted_line_id",
        }

    @api.depends("state", "move_ids.state", "move_ids.product_uom_qty", "move_ids.quantity")
    def _compute_distribution_short_qty(self):
        for line in self:
            line.distribution_short_qty = line._get_short_qty() if line.state == "sale" else 0.0

    # ------------------------------------------------------------------------------------------------
    # What is short
    # ------------------------------------------------------------------------------------------------
    def _get_short_moves(self):
        """The line's open moves that reserve from stock for its delivery (the delivery itself in one step,
        the pick in two or three steps, backorders included) and hold less than their demand."""
        self.ensure_one()
        outgoing, _incoming = self._get_outgoing_incoming_moves(strict=False)
        return outgoing.filtered(
            lambda move: move.state not in ("draft", "done", "cancel")
            and move._is_stock_step()
            and move.product_uom.compare(move.product_uom_qty, move.quantity) > 0
        )

    def _get_short_qty(self):
        """What the line's open delivery cannot reserve, in the line's unit: demand minus what is reserved
        (picked quantities are reserved ones), over the moves of ``_get_short_moves``."""
        self.ensure_one()
        return sum(
            move.product_uom._compute_quantity(move.product_uom_qty - move.quantity, self.product_uom_id)
            for move in self._get_short_moves()
        )

    # ------------------------------------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------------------------------------
    def _check_substitution_rights(self):
        """Substituting changes what the customer buys: salespeople and sales managers only (not warehouse or
        billing users, not portal users), whichever way they call it."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_salesman"):
            return
        raise AccessError(
            _(
                "%(user)s cannot substitute products on order %(order)s: only salespeople and sales managers do.",
                user=self.env.user.name,
                order=", ".join(self.sudo().order_id.mapped("name")),
            )
        )

    def _check_substitute_listed(self, substitute):
        """``substitute`` is one of the line's listed substitutes, and sellable by the order's company."""
        self.ensure_one()
        if substitute not in self._get_substitutes():
            raise UserError(
                _("%(substitute)s is not a substitute of %(product)s.",
                  substitute=substitute.display_name, product=self.product_id.display_name)
            )
        if substitute.company_id and substitute.company_id != self.order_id.company_id:
            raise UserError(
                _(
                    "%(substitute)s belongs to %(company)s: it cannot be sold on order %(order)s of %(order_company)s.",
                    substitute=substitute.display_name,
                    company=substitute.company_id.name,
                    order=self.order_id.name,
                    order_company=self.order_id.company_id.name,
                )
            )

    def _check_confirmed_substitution(self, substitute=None):
        """A short line of a confirmed order may be substituted: the order is confirmed, not locked, not on
        credit hold (the hold released its reservations: nothing is short), of one of the user's current
        companies; the line has a short quantity and, when given, ``substitute`` is listed for it."""
        self.ensure_one()
        order = self.order_id
        values = {"order": order.name, "product": self.product_id.display_name}
        if order.company_id not in self.env.companies:
            raise UserError(
                _("Order %(order)s belongs to %(company)s: switch to that company to substitute %(product)s.",
                  company=order.company_id.name, **values)
            )
        if order.state != "sale":
            raise UserError(
                _("Order %(order)s is %(state)s: only the short lines of a confirmed order are substituted.",
                  state=dict(order._fields["state"]._description_selection(self.env))[order.state], **values)
            )
        if order.locked:
            raise UserError(_("Order %(order)s is locked: unlock it to substitute %(product)s.", **values))
        if order.credit_hold:
            raise UserError(
                _("Order %(order)s is on credit hold: its deliveries wait for the release, %(product)s is not "
                  "substituted meanwhile.", **values)
            )
        if self.display_type or not self.product_id:
            raise UserError(_("Order %(order)s: only a product line is substituted.", **values))
        if self.product_uom_id.compare(self._get_short_qty(), 0.0) <= 0:
            raise UserError(
                _(
                    "Order %(order)s, %(product)s is not short: what is still to deliver is reserved, picked or "
                    "delivered. Only a quantity its delivery cannot reserve is substituted.",
                    **values,
                )
            )
        if substitute is not None:
            self._check_substitute_listed(substitute)

    def _check_substitution_consent(self):
        """The customer's consent rule (``never`` refuses). Returns the rule: 'allowed' or 'ask'."""
        self.ensure_one()
        order = self.order_id
        consent = order._get_substitution_consent()
        if consent == "never":
            raise UserError(
                _(
                    "Order %(order)s: %(customer)s does not accept substitutions (customer class %(class_name)s, "
                    "substitution consent: Never). The short quantity of %(product)s waits for stock.",
                    order=order.name,
                    customer=order.partner_id.commercial_partner_id.display_name,
                    class_name=order._get_substitution_consent_class().name,
                    product=self.product_id.display_name,
                )
            )
        return consent

    # ------------------------------------------------------------------------------------------------
    # Substituting
    # ------------------------------------------------------------------------------------------------
    def _substitute_short_quantity(self, substitute):
        """Substitute ``substitute`` for the short quantity of this confirmed line, as the customer's rule
        says: done at once when they allow it, proposed to them when they are asked (see
        ``_propose_substitute``), refused when they never accept one. Returns the new line, or an empty
        recordset when the substitution was proposed."""
        self.ensure_one()
        self._check_substitution_rights()
        self._check_confirmed_substitution(substitute)
        consent = self._check_substitution_consent()
        if consent == "ask":
            self._propose_substitute(substitute)
            return self.browse()
        return self._apply_substitute(substitute)

    def _apply_substitute(self, substitute):
        """Move the short quantity to ``substitute`` (checks done by the caller): this line's ordered quantity
        drops by it at its confirmed price and discount, and a new line sells the substitute, priced by the
        order's pricelist. Core's procurement adjusts the moves: the new line's procurement creates the
        substitute's move, the negative procurement of the lowered quantity takes the short quantity off the
        open (back)order move. The substitution is recorded on the order (``_record_substitution``). Returns
        the new line."""
        self.ensure_one()
        # All or nothing, even for a caller that goes on after a refusal (the rule on lines added to confirmed
        # orders refuses a substitute under its margin floor once the line exists).
        with self.env.cr.savepoint():
            short = self._get_short_qty()
            unit = (self.product_uom_id if self.product_uom_id._has_common_reference(substitute.uom_id)
                    else substitute.uom_id)
            vals = self._prepare_substitute_line_vals(
                substitute, self.product_uom_id._compute_quantity(short, unit), unit
            )
            # No default from the caller's context (a price, a discount, a cost) reaches the new line: it is
            # priced by the pricelist and measured by the rules on lines added to confirmed orders. Created
            # first, its move joins the open (back)order transfer the short move is in.
            # pylint: disable-next=context-overridden  # replaced on purpose: merging would keep the defaults
            new_line = self.with_context(clean_context(self.env.context)).create(vals)
            new_line.sudo().distribution_substituted_line_id = self
            # Core prices a confirmed line again when its quantity changes (a volume break would raise the
            # price of what stays): what stays keeps the price and discount it was confirmed at.
            self.write({
                "product_uom_qty": self.product_uom_qty - short,
                "price_unit": self.price_unit,
                "discount": self.discount,
            })
            self.order_id._record_substitution(new_line, self.product_id)
        return new_line

    def _prepare_substitute_line_vals(self, substitute, quantity, unit):
        """Values of the line selling ``quantity`` ``unit`` of ``substitute`` instead of this line: next to it,
        shipped like it (route, warehouse), with no price, discount or cost: the pricelist prices it.
        Extension point."""
        self.ensure_one()
        return {
            "order_id": self.order_id.id,
            "sequence": self.sequence,
            "product_id": substitute.id,
            "product_uom_qty": quantity,
            "product_uom_id": unit.id,
            "route_ids": [Command.set(self.route_ids.ids)],
            "distribution_source_warehouse_id": self.distribution_source_warehouse_id.id,
            "analytic_distribution": self.analytic_distribution,
        }

    # ------------------------------------------------------------------------------------------------
    # Customers who are asked first
    # ------------------------------------------------------------------------------------------------
    def _propose_substitute(self, substitute):
        """Propose ``substitute`` for the short quantity, nothing else changes: the line keeps the proposal and
        the salesperson gets a to-do to ask the customer, then records the answer on the line
        (``action_accept_substitute_proposal`` / ``action_decline_substitute_proposal``)."""
        self.ensure_one()
        order = self.order_id
        if self.distribution_substitute_proposed_id:
            raise UserError(
                _(
                    "Order %(order)s: %(proposed)s is already proposed for %(product)s; record the customer's "
                    "answer first.",
                    order=order.name,
                    proposed=self.distribution_substitute_proposed_id.display_name,
                    product=self.product_id.display_name,
                )
            )
        values = {
            "order": order.name,
            "customer": order.partner_id.commercial_partner_id.display_name,
            "product": self.product_id.display_name,
            "substitute": substitute.display_name,
            "qty": self._get_short_qty(),
            "uom": self.product_uom_id.name,
            "user": self.env.user.name,
        }
        activity = order.activity_schedule(
            CONSENT_ACTIVITY_XMLID,
            summary=_("Ask %(customer)s: %(substitute)s instead of %(product)s?", **values),
            note=_(
                "Order %(order)s: %(qty)s %(uom)s of %(product)s cannot be reserved. The customer is asked before "
                "a substitution: ask whether %(substitute)s will do, then record the answer on the line "
                "(Customer agreed / Customer declined).",
                **values,
            ),
            user_id=(order.user_id or self.env.user).id,
        )
        self.sudo().write({
            "distribution_substitute_proposed_id": substitute.id,
            "distribution_substitute_activity_id": activity.id,
        })
        order.message_post(
            body=_(
                "Substitution proposed by %(user)s: %(substitute)s for the %(qty)s %(uom)s of %(product)s that "
                "cannot be reserved, waiting for %(customer)s's consent.",
                **values,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _close_substitute_proposal(self, feedback):
        """Forget the line's proposal and record ``feedback`` (the customer's answer) on the order: as the
        feedback of its to-do when it is still open, else as a note."""
        self.ensure_one()
        activity = self.distribution_substitute_activity_id
        self.sudo().write({"distribution_substitute_proposed_id": False, "distribution_substitute_activity_id": False})
        if activity.exists() and activity.active:
            activity.action_feedback(feedback=feedback)
        else:
            self.order_id.message_post(body=feedback, subtype_xmlid="mail.mt_note")

    def action_accept_substitute_proposal(self):
        """The customer agreed to the proposed substitute: substitute it for what is short now (checked again:
        the order, the stock and the customer's rule may have changed since it was proposed)."""
        for line in self:
            line._check_substitution_rights()
            substitute = line.distribution_substitute_proposed_id
            if not substitute:
                raise UserError(
                    _("Order %(order)s: no substitute is proposed for %(product)s.",
                      order=line.order_id.name, product=line.product_id.display_name)
                )
            line._check_confirmed_substitution(substitute)
            line._check_substitution_consent()
            line._apply_substitute(substitute)
            line._close_substitute_proposal(
                _("%(customer)s agreed to %(substitute)s (recorded by %(user)s).",
                  customer=line.order_id.partner_id.commercial_partner_id.display_name,
                  substitute=substitute.display_name, user=self.env.user.name)
            )
        return True

    def action_decline_substitute_proposal(self):
        """The customer declined the proposed substitute: nothing changes, the short quantity waits for stock."""
        for line in self:
            line._check_substitution_rights()
            substitute = line.distribution_substitute_proposed_id
            if not substitute:
                raise UserError(
                    _("Order %(order)s: no substitute is proposed for %(product)s.",
                      order=line.order_id.name, product=line.product_id.display_name)
                )
            feedback = _(
                "%(customer)s declined %(substitute)s for %(product)s (recorded by %(user)s): the short quantity "
                "waits for stock.",
                customer=line.order_id.partner_id.commercial_partner_id.display_name,
                substitute=substitute.display_name,
                product=line.product_id.display_name,
                user=self.env.user.name,
            )
            line._close_substitute_proposal(feedback)
        return True
