import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import html2plaintext, is_html_empty

_logger = logging.getLogger(__name__)

OPEN_STATES = ("new", "in_progress", "waiting")
CLOSED_STATES = ("resolved", "cancelled")
# Groups with read access to exceptions (counts on documents are only computed for them).
EXCEPTION_READERS = (
    "sales_team.group_sale_salesman,stock.group_stock_user,purchase.group_purchase_user,"
    "account.group_account_invoice,distribution_exceptions.group_exception_user"
)
AGING_BUCKETS = [
    ("lt1", "Under 1 day"),
    ("1to3", "1-3 days"),
    ("3to7", "3-7 days"),
    ("gt7", "Over 7 days"),
]


def _aging_bucket(age_days):
    if age_days < 1:
        return "lt1"
    if age_days < 3:
        return "1to3"
    if age_days < 7:
        return "3to7"
    return "gt7"


class DistributionException(models.Model):
    """A non-standard event on a document (a backorder, a short pick, a credit hold...) that a person
    owns until it is resolved. Raised and, where the cause clears by itself, resolved by the suite
    through ``_raise_exceptions`` / ``_resolve_exceptions``; at most one open item per type and source
    document (a unique partial index guards it against concurrent raises)."""

    _name = "distribution.exception"
    _description = "Distribution Exception"
    _inherit = ["mail.thread", "mail.activity.mixin", "distribution.system.fields.mixin"]
    _order = "priority desc, date_deadline, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "source_name"]

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: self.env._("New"))
    type_id = fields.Many2one(
        "distribution.exception.type",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    code = fields.Char(related="type_id.code", store=True, index=True)
    audience = fields.Selection(related="type_id.audience", store=True, index=True)
    blocking = fields.Boolean(
        related="type_id.blocking",
        store=True,
        precompute=True,
        help="While open, the exception holds its sales order (no progress, no invoicing on delivery).",
    )
    severity = fields.Selection(related="type_id.severity", store=True)
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High")],
        compute="_compute_priority",
        store=True,
        readonly=False,
        default="0",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("waiting", "Waiting"),
            ("resolved", "Resolved"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="new",
        index=True,
        tracking=True,
        copy=False,
    )
    is_open = fields.Boolean(compute="_compute_is_open", store=True, index=True, precompute=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    team_id = fields.Many2one("crm.team", index=True, tracking=True, check_company=True)
    # The source document, generic (any model) and typed (for counts, record rules and search).
    res_model = fields.Char(string="Source Model", required=True, index=True, readonly=True)
    res_id = fields.Many2oneReference(string="Source ID", model_field="res_model", required=True, readonly=True)
    source_name = fields.Char(string="Source", readonly=True, help="Name of the source document when raised.")
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", index="btree_not_null", readonly=True)
    picking_id = fields.Many2one("stock.picking", string="Transfer", index="btree_not_null", readonly=True)
    purchase_order_id = fields.Many2one(
        "purchase.order", index="btree_not_null", readonly=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice / Bill", index="btree_not_null", readonly=True,
        help="The customer invoice or vendor bill concerned.",
    )
    partner_id = fields.Many2one(
        "res.partner", index="btree_not_null", readonly=True,
        help="Customer or vendor concerned (the commercial entity).",
    )
    product_id = fields.Many2one("product.product", index="btree_not_null", readonly=True)
    description = fields.Html(
        string="Facts", readonly=True, sanitize=True, help="What happened, as the suite saw it when it raised the item."
    )
    date_raised = fields.Datetime(
        string="Raised On", required=True, readonly=True, index=True, default=fields.Datetime.now, copy=False
    )
    date_deadline = fields.Datetime(
        string="Deadline",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        help="Raised on + the type's SLA. The owner may move it.",
    )
    age_days = fields.Float(string="Age (days)", compute="_compute_age_days", digits=(16, 1))
    aging_bucket = fields.Selection(
        AGING_BUCKETS,
        string="Aging",
        compute="_compute_aging",
        store=True,
        index=True,
        group_expand=True,
        help="How long the item has been open; refreshed hourly by a scheduled action.",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_aging",
        store=True,
        index=True,
        help="Open and past its deadline; refreshed hourly by a scheduled action.",
    )
    resolution = fields.Html(string="Resolution Note")
    date_resolved = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    resolved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    auto_resolved = fields.Boolean(
        readonly=True, copy=False, help="Closed by the suite itself when the cause cleared."
    )
    resolution_hours = fields.Float(
        string="Resolution Time (h)",
        compute="_compute_resolution_hours",
        store=True,
        copy=False,
        aggregator="avg",
        help="Hours from raised to resolved or cancelled.",
    )
    color = fields.Integer(compute="_compute_color")

    # Concurrent raises (two users validating, a cron beside a user) cannot open a second item.
    _one_open_per_source = models.UniqueIndex(
        "(type_id, company_id, res_model, res_id) WHERE state IN ('new', 'in_progress', 'waiting')",
        "An open exception of this type already exists for this document.",
    )
    _queue_idx = models.Index("(company_id, state, type_id, user_id)")

    # ------------------------------------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------------------------------------
    @api.depends("state")
    def _compute_is_open(self):
        for exception in self:
            exception.is_open = exception.state in OPEN_STATES

    @api.depends("name", "type_id.name", "source_name", "partner_id.name")
    def _compute_display_name(self):
        # A one-line summary wherever the item is named (links, breadcrumbs, the helpdesk ticket, mails):
        # "EXC/2026/00012 - Backorder: WH/OUT/00034, Northgate Electrical".
        for item in self:
            about = ", ".join(filter(None, [item.source_name, item.partner_id.name]))
            summary = f"{item.type_id.name}: {about}" if about else item.type_id.name
            item.display_name = f"{item.name} - {summary}" if summary else item.name

    @api.depends("date_raised", "date_resolved")
    def _compute_resolution_hours(self):
        # Stored: the ORM writes the closed items of a batch together (one UPDATE), not one by one.
        for exception in self:
            if exception.date_resolved and exception.date_raised:
                hours = (exception.date_resolved - exception.date_raised).total_seconds() / 3600.0
                exception.resolution_hours = max(hours, 0.0)
            else:
                exception.resolution_hours = 0.0

    @api.depends("type_id.severity")
    def _compute_priority(self):
        for exception in self:
            exception.priority = "1" if exception.type_id.severity in ("high", "critical") else "0"

    @api.depends("type_id", "date_raised")
    def _compute_date_deadline(self):
        for exception in self:
            if exception.date_raised and exception.type_id:
                exception.date_deadline = exception.date_raised + timedelta(hours=exception.type_id.sla_hours)
            else:
                exception.date_deadline = False

    @api.depends("date_raised", "date_resolved")
    def _compute_age_days(self):
        now = fields.Datetime.now()
        for exception in self:
            end = exception.date_resolved or now
            start = exception.date_raised or now
            exception.age_days = max((end - start).total_seconds(), 0.0) / 86400.0

    @api.depends("date_raised", "date_deadline", "state")
    def _compute_aging(self):
        # Time-dependent: kept current by _cron_refresh_aging, which runs the same rule in SQL.
        now = fields.Datetime.now()
        for exception in self:
            is_open = exception.state in OPEN_STATES
            end = now if is_open else (exception.date_resolved or now)
            age = max((end - (exception.date_raised or now)).total_seconds(), 0.0) / 86400.0
            exception.aging_bucket = _aging_bucket(age)
            exception.is_overdue = bool(is_open and exception.date_deadline and exception.date_deadline < now)

    def _compute_color(self):
        for exception in self:
            if exception.state in CLOSED_STATES:
                exception.color = 10  # green
            elif exception.is_overdue:
                exception.color = 1  # red
            elif exception.blocking:
                exception.color = 2  # orange
            else:
                exception.color = 0

    # ------------------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------------------
    @api.constrains("state", "resolution")
    def _check_resolution_note(self):
        self.filtered(lambda e: e.state == "resolved" and not e.auto_resolved)._check_resolution_note_given()

    def _check_resolution_note_given(self):
        for exception in self:
            if self._is_empty_html(exception.resolution):
                raise ValidationError(
                    self.env._(
                        "Exception %(name)s (%(type)s on %(document)s) cannot be resolved without a resolution note.",
                        name=exception.name,
                        type=exception.type_id.name,
                        document=exception.source_name,
                    )
                )

    @api.constrains("date_deadline", "date_raised")
    def _check_deadline(self):
        for exception in self:
            if exception.date_deadline and exception.date_raised and exception.date_deadline < exception.date_raised:
                raise ValidationError(
                    self.env._(
                        "Exception %(name)s: the deadline %(deadline)s cannot be before the date it was raised "
                        "(%(raised)s).",
                        name=exception.name,
                        deadline=exception.date_deadline,
                        raised=exception.date_raised,
                    )
                )

    @staticmethod
    def _is_empty_html(value):
        return is_html_empty(value)

    # ------------------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _get_distribution_system_fields(self):
        # How an item was closed, what it is linked to and what the suite saw are recorded by the server:
        # a user closes an item through its actions (with a resolution note) and never re-points it.
        return super()._get_distribution_system_fields() | {
            "auto_resolved", "resolved_by_id", "date_resolved", "resolution_hours", "date_raised", "source_name",
            "sale_order_id", "picking_id", "purchase_order_id", "move_id", "partner_id", "product_id",
        }

    @api.model_create_multi
    def create(self, vals_list):
        manual = not self.env.su
        if manual:
            # What a person sends is checked as sent; the links the server then fills in are its own.
            self._check_distribution_system_fields(vals_list)
            self.browse().check_access("create")
        for vals in vals_list:
            self._check_source_vals(vals)
            if manual:
                self._prepare_manual_vals(vals)
            # Items are numbered by the server (a person's item too; the suite may name its own).
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("distribution.exception") or self.env._(
                    "New"
                )
            if vals.get("res_model") and vals.get("res_id") and not vals.get("source_name"):
                source = self.env[vals["res_model"]].sudo().browse(vals["res_id"])
                vals["source_name"] = source.display_name
        if not manual:
            return super().create(vals_list)
        exceptions = super(DistributionException, self.sudo()).create(vals_list).with_env(self.env)
        exceptions.check_access("create")  # the record rules (company, audience) as for any creation
        return exceptions

    @api.model
    def _prepare_manual_vals(self, vals):
        """An item created by a person (not raised by the suite): on a document they can read, in that
        document's company, of a type that does not hold anything; the links to orders, transfers and
        partners are taken from the document by the server."""
        source = self.env[vals["res_model"]].browse(vals["res_id"])
        try:
            source.check_access("read")
        except AccessError:
            raise AccessError(
                self.env._(
                    "%(user)s cannot raise an exception on %(model)s #%(id)s: they have no access to that document.",
                    user=self.env.user.name,
                    model=source._description,
                    id=source.id,
                )
            ) from None
        exception_type = self.env["distribution.exception.type"].browse(vals.get("type_id"))
        if exception_type.blocking:
            raise UserError(
                self.env._(
                    "Exceptions of type %(type)s hold their order: only the suite raises them (from the order's "
                    "credit, delivery or invoice).",
                    type=exception_type.name,
                )
            )
        source_company = "company_id" in source._fields and source.company_id
        company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
        if source_company and source_company != company:
            raise UserError(
                self.env._(
                    "Exception on %(document)s: it belongs to %(source_company)s, not to %(company)s.",
                    document=source.display_name,
                    source_company=source_company.name,
                    company=company.name,
                )
            )
        vals["company_id"] = company.id
        vals.update(self._get_source_links(source))
        vals["source_name"] = source.display_name
        vals.pop("name", None)

    @api.model
    def _get_source_links(self, source):
        """The typed links of an item on ``source``, read from the document itself."""
        source = source.sudo()
        links = {}
        if source._name == "sale.order":
            links.update(sale_order_id=source.id, partner_id=source.partner_id.commercial_partner_id.id)
        elif source._name == "sale.order.line":
            links.update(sale_order_id=source.order_id.id, product_id=source.product_id.id,
                         partner_id=source.order_id.partner_id.commercial_partner_id.id)
        elif source._name == "stock.picking":
            links.update(picking_id=source.id, sale_order_id=source.sale_id.id,
                         purchase_order_id=source.purchase_id.id,
                         partner_id=source.partner_id.commercial_partner_id.id)
        elif source._name == "purchase.order":
            links.update(purchase_order_id=source.id, partner_id=source.partner_id.commercial_partner_id.id)
        elif source._name == "account.move":
            links.update(move_id=source.id, partner_id=source.commercial_partner_id.id)
        elif source._name == "product.product":
            links.update(product_id=source.id)
        return {name: value or False for name, value in links.items()}

    @api.model
    def _check_source_vals(self, vals):
        res_model, res_id = vals.get("res_model"), vals.get("res_id")
        if not res_model:
            return  # the required constraint names the missing field
        if res_model not in self.env:
            raise ValidationError(self.env._("Exception: %(model)s is not a model.", model=res_model))
        if not res_id or not self.env[res_model].sudo().browse(res_id).exists():
            raise ValidationError(
                self.env._(
                    "Exception: its source document %(model)s #%(id)s does not exist.", model=res_model, id=res_id
                )
            )

    # What an item is about is set when it is raised: changing it would make it another item.
    _IMMUTABLE_FIELDS = ("type_id", "company_id", "res_model", "res_id", "date_raised")

    def write(self, vals):
        as_user = not self.env.su
        if as_user:
            # What the person sends is checked as sent; what the server then records (who closed, when) is
            # written as the system, once the person's own right to write these items is checked.
            self._check_distribution_system_fields([vals])
            self.check_access("write")
        changed = [name for name in self._IMMUTABLE_FIELDS if name in vals]
        if changed and not self.env.su:
            raise UserError(
                self.env._(
                    "Exceptions %(names)s: %(fields)s cannot change once raised; cancel the item and raise "
                    "another instead.",
                    names=", ".join(self.mapped("name")),
                    fields=", ".join(self._fields[name].string for name in changed),
                )
            )
        if "state" in vals:
            self._check_state_transition(vals["state"])
            if vals["state"] in CLOSED_STATES and not vals.get("auto_resolved"):
                self._check_can_close()
            if vals["state"] in CLOSED_STATES:
                vals.setdefault("date_resolved", fields.Datetime.now())
                vals.setdefault("resolved_by_id", self.env.user.id)
            elif vals["state"] in OPEN_STATES:
                vals.update({"date_resolved": False, "resolved_by_id": False, "auto_resolved": False})
        target = self.sudo() if as_user and "state" in vals else self
        res = super(DistributionException, target).write(vals)
        if "state" in vals and vals["state"] in CLOSED_STATES:
            self._on_closed()
        return res

    def _check_state_transition(self, new_state):
        if new_state not in OPEN_STATES:
            return
        # Reopening must not create a second open item for the same document: one query for all the items
        # reopened, over every item (the unique index would refuse one the user cannot see, less clearly).
        closed = self.filtered(lambda e: e.state in CLOSED_STATES)
        if not closed:
            return
        keys = {(e.type_id.id, e.res_model, e.res_id, e.company_id.id): e for e in closed}
        same_source = Domain.OR(
            Domain([("type_id", "=", type_id), ("res_model", "=", res_model), ("res_id", "=", res_id),
                    ("company_id", "=", company_id)])
            for type_id, res_model, res_id, company_id in keys
        )
        others = self.sudo().search(same_source & Domain([("state", "in", OPEN_STATES), ("id", "not in", closed.ids)]))
        for other in others:
            exception = keys[(other.type_id.id, other.res_model, other.res_id, other.company_id.id)]
            raise UserError(
                self.env._(
                    "Exception %(name)s cannot be reopened: another %(type)s item is already open on "
                    "%(document)s.",
                    name=exception.name,
                    type=exception.type_id.name,
                    document=exception.source_name,
                )
            )

    def _check_can_close(self):
        """Who may close an item by hand. A credit hold is closed by releasing the order's credit:
        credit controllers only (checked before anything is written)."""
        if self.env.su:
            return
        credit = self.filtered(lambda e: e.code == "credit_hold" and e.sale_order_id.credit_hold)
        if credit and not self.env.user.has_group("distribution_order_flow.group_credit_controller"):
            raise AccessError(
                self.env._(
                    "Only a credit controller can release the credit hold of %(orders)s (exception %(names)s).",
                    orders=", ".join(credit.sale_order_id.mapped("name")),
                    names=", ".join(credit.mapped("name")),
                )
            )

    def _on_closed(self):
        """Hook after items were resolved or cancelled (by a person or by the suite): the source
        documents react (credit hold released, helpdesk ticket closed, invoicing resumed)."""
        # Closing a credit hold by hand is releasing the order's credit: credit controllers only.
        credit = self.filtered(
            lambda e: e.code == "credit_hold" and not e.auto_resolved and e.sale_order_id.credit_hold
        )
        for exception in credit:
            note = html2plaintext(exception.resolution or "").strip() or self.env._("closed in the queue")
            exception.sale_order_id.action_release_credit_hold(
                reason=self.env._("%(note)s (exception %(name)s)", note=note, name=exception.name)
            )
        held_orders = self.filtered("blocking").sale_order_id
        if held_orders:
            held_orders._on_blocking_exceptions_cleared()

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_start(self):
        self._ensure_open("start")
        self.write({"state": "in_progress"})
        return True

    def action_wait(self):
        self._ensure_open("put on waiting")
        self.write({"state": "waiting"})
        return True

    def action_take(self):
        self._ensure_open("take")
        self.write({"user_id": self.env.user.id, "state": "in_progress"})
        return True

    def action_resolve(self):
        self._ensure_open("resolve")
        # Checked before writing (the constraint is the safety net for other paths).
        self._check_resolution_note_given()
        self.write({"state": "resolved"})
        # One note per item, written together (their rights were checked by the write above).
        self._message_log_batch(
            {exception.id: Markup("%s<br/>%s") % (self.env._("Resolved:"), exception.resolution) for exception in self}
        )
        return True

    def action_cancel(self):
        self._ensure_open("cancel")
        self.write({"state": "cancelled"})
        return True

    def action_reopen(self):
        closed = self.filtered(lambda e: e.state in CLOSED_STATES)
        closed.write({"state": "new"})
        return True

    def _ensure_open(self, what):
        closed = self.filtered(lambda e: e.state in CLOSED_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "Cannot %(what)s %(names)s: already resolved or cancelled.",
                    what=what,
                    names=", ".join(closed.mapped("name")),
                )
            )

    @api.model
    def _open_counts(self, field_name, records):
        """{record: open exceptions whose ``field_name`` is it}, in one grouped query (document buttons)."""
        return dict(
            self._read_group([(field_name, "in", records.ids), ("state", "in", OPEN_STATES)], [field_name], ["__count"])
        )

    @api.model
    def _action_for_documents(self, domain):
        """The queue filtered on some documents (smart buttons of orders, transfers, bills, partners)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("distribution_exceptions.distribution_exception_action")
        action["domain"] = domain
        action["context"] = {"search_default_filter_open": 1}
        return action

    def action_open_source(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------------------------------------
    # API used by the triggers
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _raise_exceptions(self, code, items):
        """Open one exception of type ``code`` per source document in ``items``, unless one is already
        open for it (then the new facts are appended to its chatter). Returns the new exceptions.

        ``items``: list of dicts with ``record`` (the source document) and optional values: sale_order_id,
        picking_id, purchase_order_id, move_id, partner_id, product_id, user_id (owner when the document
        gives one), facts (Html, what a person needs), company (default: the record's). Runs as
        superuser: whoever triggered the event (a warehouse user, a cron) raises the item."""
        if not items:
            return self.browse()
        sudo_self = self.sudo().with_context(mail_create_nosubscribe=True, mail_auto_subscribe_no_notify=True)
        Type = self.env["distribution.exception.type"].sudo()
        items_by_key, type_by_company = {}, {}
        for item in items:
            record = item["record"]
            company = item.get("company") or ("company_id" in record._fields and record.company_id)
            item["company"] = company = company or self.env.company
            if company not in type_by_company:
                type_by_company[company] = Type._get_by_code(code, company)
            items_by_key.setdefault((record._name, record.id, company.id), item)
        # One query for what is already open on these documents.
        by_model = defaultdict(list)
        for res_model, res_id, _company_id in items_by_key:
            by_model[res_model].append(res_id)
        source_domains = [["&", ("res_model", "=", model), ("res_id", "in", ids)] for model, ids in by_model.items()]
        domain = [("type_id", "in", [t.id for t in type_by_company.values() if t]), ("state", "in", OPEN_STATES)]
        domain += ["|"] * (len(source_domains) - 1) + [leaf for source in source_domains for leaf in source]
        existing = {(e.res_model, e.res_id, e.company_id.id, e.type_id.id): e for e in sudo_self.search(domain)}
        vals_list, new_facts = [], {}
        for (res_model, res_id, company_id), item in items_by_key.items():
            exception_type = type_by_company[item["company"]]
            if not exception_type:
                _logger.warning("No active exception type %s in %s: nothing raised.", code, item["company"].name)
                continue
            open_exception = existing.get((res_model, res_id, company_id, exception_type.id))
            if open_exception:
                if item.get("facts") and item.get("append_facts", True):
                    new_facts[open_exception.id] = item["facts"]
                continue
            user = item.get("user_id") or exception_type.user_id or exception_type.team_id.user_id
            vals_list.append(
                {
                    "type_id": exception_type.id,
                    "company_id": company_id,
                    "res_model": res_model,
                    "res_id": res_id,
                    "source_name": item["record"].sudo().display_name,
                    "sale_order_id": item.get("sale_order_id") and item["sale_order_id"].id,
                    "picking_id": item.get("picking_id") and item["picking_id"].id,
                    "purchase_order_id": item.get("purchase_order_id") and item["purchase_order_id"].id,
                    "move_id": item.get("move_id") and item["move_id"].id,
                    "partner_id": item.get("partner_id") and item["partner_id"].commercial_partner_id.id,
                    "product_id": item.get("product_id") and item["product_id"].id,
                    "user_id": user and user.id,
                    "team_id": exception_type.team_id.id,
                    "description": item.get("facts") or False,
                }
            )
        if new_facts:
            # What happened again is added to the items already open, as notes written together.
            sudo_self.browse(list(new_facts))._message_log_batch(new_facts)
        exceptions = sudo_self._create_unless_open(vals_list)
        # Owners follow their items: one call per owner, not per item.
        for user, owned in exceptions.filtered("user_id").grouped("user_id").items():
            owned.message_subscribe(partner_ids=user.partner_id.ids)
        held_orders = exceptions.filtered("blocking").sale_order_id
        if held_orders:
            held_orders._on_blocking_exceptions_raised()
        return exceptions

    @api.model
    def _create_unless_open(self, vals_list):
        """Create the items; one that another transaction opened meanwhile for the same document (the
        unique index waits for it, then refuses) is skipped, not an error for the user who triggered it."""
        if not vals_list:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                return self.create(vals_list)
        except psycopg2.errors.UniqueViolation:  # pylint: disable=except-pass
            pass  # one of them was opened meanwhile: created one by one below, that one skipped
        exceptions = self.browse()
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    exceptions |= self.create([vals])
            except psycopg2.errors.UniqueViolation:
                _logger.info("Exception %s on %s,%s already opened concurrently: skipped", vals["type_id"],
                             vals["res_model"], vals["res_id"])
        return exceptions

    @api.model
    def _resolve_exceptions(self, code, records, note, cancel=False):
        """Close the open exceptions of type ``code`` on ``records`` because their cause cleared:
        resolved (or cancelled when the cause went away, e.g. the document was cancelled) with ``note``
        recorded as the resolution. Returns the closed exceptions."""
        if not records:
            return self.browse()
        exceptions = self.sudo().search(
            [
                ("code", "=", code),
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("state", "in", OPEN_STATES),
            ]
        )
        if exceptions:
            exceptions.write(
                {
                    "state": "cancelled" if cancel else "resolved",
                    "auto_resolved": True,
                    "resolution": note,
                    "resolved_by_id": self.env.ref("base.user_root").id,
                }
            )
            exceptions._message_log_batch(dict.fromkeys(exceptions.ids, note))
        return exceptions

    @api.model
    def _facts(self, intro, rows=None):
        """Html facts: a sentence and an optional list of rows (already translated strings)."""
        body = Markup("<p>%s</p>") % intro
        if rows:
            body += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % escape(row) for row in rows)
        return body

    # ------------------------------------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_refresh_aging(self):
        """Hourly: move open items to their aging bucket and flag the overdue ones, in one statement
        (the same rule as _compute_aging), so grouping and filtering stay on indexed columns."""
        self.env["distribution.exception"].flush_model(["aging_bucket", "is_overdue", "date_deadline", "state"])
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            UPDATE distribution_exception exception
               SET aging_bucket = current.bucket, is_overdue = current.overdue
              FROM (SELECT id,
                           CASE WHEN %(now)s - date_raised < interval '1 day' THEN 'lt1'
                                WHEN %(now)s - date_raised < interval '3 days' THEN '1to3'
                                WHEN %(now)s - date_raised < interval '7 days' THEN '3to7'
                                ELSE 'gt7' END AS bucket,
                           COALESCE(date_deadline < %(now)s, FALSE) AS overdue
                      FROM distribution_exception
                     WHERE state IN %(open)s) AS current
             WHERE exception.id = current.id
               AND (exception.aging_bucket IS DISTINCT FROM current.bucket
                    OR exception.is_overdue IS DISTINCT FROM current.overdue)
            """,
            {"now": now, "open": OPEN_STATES},
        )
        _logger.info("Exception aging refreshed: %s items changed", self.env.cr.rowcount)
        self.env["distribution.exception"].invalidate_model(["aging_bucket", "is_overdue"])

    @api.model
    def _cron_send_digest(self):
        """Daily review: queue one digest job per owner with open items (channel
        root.distribution.digests), each mailing its owner their open items, overdue first; nothing for an
        owner with none open or without an address. Once a day: a second run the same day (run by hand, or
        the cron retried) queues nothing again, and a job still waiting is never queued twice (identity
        key: owner and day). Returns the owners queued."""
        params = self.env["ir.config_parameter"].sudo()
        today = fields.Date.to_string(fields.Date.context_today(self))
        if params.get_param("distribution_exceptions.digest_last_date") == today:
            _logger.info("Exception digest already sent today (%s): nothing sent.", today)
            return self.env["res.users"]
        params.set_param("distribution_exceptions.digest_last_date", today)
        self._cron_refresh_aging()
        groups = self.sudo()._read_group(
            [("state", "in", OPEN_STATES), ("user_id", "!=", False)], ["user_id"], ["__count"]
        )
        owners = self.env["res.users"].union(*(user for user, _count in groups)).filtered(
            lambda user: user.active and user.email
        )
        for owner in owners:
            self._enqueue_digest(owner, today)
        return owners

    @api.model
    def _enqueue_digest(self, user, date):
        """Queue the digest of ``user`` for ``date`` (a date string)."""
        return self.sudo().with_delay(
            description=self.env._("Exception digest of %(user)s (%(date)s)", user=user.name, date=date),
            identity_key=f"distribution_exception_digest:{user.id}:{date}",
        )._job_send_digest(user, date)

    @api.model
    def _job_send_digest(self, user, date):
        """Job: mail ``user`` the open items they own when the job runs, overdue first (none open by then:
        no mail). ``date``: the day it was queued for (part of its identity). Returns the mail."""
        exceptions = self.sudo().search([("state", "in", OPEN_STATES), ("user_id", "=", user.id)]).sorted(
            lambda e: (not e.is_overdue, e.date_deadline or e.date_raised)
        )
        if not exceptions or not user.active or not user.email:
            return self.env["mail.mail"]
        body = self.env["ir.qweb"]._render(
            "distribution_exceptions.exception_digest_body",
            {
                "user": user,
                "exceptions": exceptions,
                "overdue": exceptions.filtered("is_overdue"),
                "base_url": self.get_base_url(),
                "format_datetime": lambda value: fields.Datetime.context_timestamp(
                    self.with_user(user), value
                ).strftime("%Y-%m-%d %H:%M") if value else "",
            },
            lang=user.lang,
        )
        return self.env["mail.mail"].sudo().create(
            {
                "subject": self.env._(
                    "Your exceptions: %(open)s open, %(overdue)s overdue",
                    open=len(exceptions),
                    overdue=len(exceptions.filtered("is_overdue")),
                ),
                "body_html": body,
                "email_to": user.email_formatted,
                "email_from": (
                    user.company_id.email_formatted or self.env.company.email_formatted or user.email_formatted
                ),
                "recipient_ids": [(4, user.partner_id.id)],
                "auto_delete": True,
                "model": False,
            }
        )
