from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

COUNTING_STATES = ("draft", "in_progress")


class DistributionCycleCount(models.Model):
    """A count task: one location counted blind by a warehouse user. Submitting applies the lines within
    the company's approval thresholds through Odoo's inventory adjustment at once; the others wait for an
    inventory manager (other than the counter), who approves (applies them) or rejects (recount).

    The scanner API (``scanner_*`` methods) is the JSON-friendly face of the same rules for the warehouse
    scanner's client action."""

    _name = "distribution.cycle.count"
    _description = "Cycle Count"
    _inherit = ["mail.thread", "mail.activity.mixin", "distribution.system.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: self.env._("New"))
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True,
        compute="_compute_company_id", store=True, precompute=True,
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True,
        compute="_compute_warehouse_id", store=True, readonly=False, precompute=True,
    )
    location_id = fields.Many2one(
        "stock.location", required=True, index=True, check_company=True, tracking=True,
        domain="[('usage', '=', 'internal'), ('company_id', '=', company_id)]",
    )
    user_id = fields.Many2one(
        "res.users", string="Assigned To", index=True, tracking=True, check_company=True,
        domain=lambda self: [
            ("share", "=", False), ("all_group_ids", "in", self.env.ref("stock.group_stock_user").ids)
        ],
        help="Empty: any warehouse user of the company may take the task.",
    )
    rule_id = fields.Many2one("distribution.cycle.count.rule", readonly=True, index=True, check_company=True)
    state = fields.Selection(
        [
            ("draft", "To Count"),
            ("in_progress", "Counting"),
            ("to_approve", "To Approve"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft", required=True, readonly=True, copy=False, index=True, tracking=True,
    )
    line_ids = fields.One2many("distribution.cycle.count.line", "count_id", string="Lines", copy=True)
    counter_id = fields.Many2one(
        "res.users", string="Counted By", readonly=True, copy=False, tracking=True,
        help="Who started counting: only they (or an inventory manager) go on counting and submit.",
    )
    date_started = fields.Datetime(readonly=True, copy=False)
    date_submitted = fields.Datetime(readonly=True, copy=False)
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False, tracking=True)
    date_approved = fields.Datetime(readonly=True, copy=False)
    exception_id = fields.Many2one(
        "distribution.exception", string="Discrepancy", readonly=True, copy=False,
        help="The stock discrepancy raised while the count waits for approval.",
    )
    note = fields.Text()
    line_count = fields.Integer(compute="_compute_line_stats")
    to_approve_count = fields.Integer(string="Lines to Approve", compute="_compute_line_stats")

    # Two runs of the rules at once (or a person beside the cron) cannot open a second task on a location.
    _one_open_per_location = models.UniqueIndex(
        "(location_id) WHERE state IN ('draft', 'in_progress', 'to_approve')",
        "A location has at most one open cycle count: finish or cancel the open one before counting it again.",
    )

    @api.depends("location_id")
    def _compute_company_id(self):
        for count in self:
            count.company_id = count.location_id.company_id or count.company_id or self.env.company

    @api.depends("location_id")
    def _compute_warehouse_id(self):
        for count in self:
            count.warehouse_id = count.location_id.warehouse_id or count.warehouse_id

    @api.depends("line_ids.state")
    def _compute_line_stats(self):
        for count in self:
            count.line_count = len(count.line_ids)
            count.to_approve_count = len(count.line_ids.filtered(lambda line: line.state == "to_approve"))

    @api.model
    def _get_distribution_system_fields(self):
        # Where a count stands, who counted and who approved are recorded by the server through the
        # actions (start, submit, approve, reject): never written back by a counter over RPC.
        return super()._get_distribution_system_fields() | {
            "state", "counter_id", "date_started", "date_submitted", "approver_id", "date_approved",
            "exception_id", "rule_id", "company_id",
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("user_id") and not self.env.su and not self._is_inventory_manager():
                self._check_can_take(vals["user_id"])
            # Numbered by the server, whatever was sent.
            vals["name"] = self.env["ir.sequence"].sudo().next_by_code("distribution.cycle.count") or self.env._("New")
        # A task closed earlier in this transaction must be closed in the table before the index judges the new one.
        self.flush_model(["state"])
        return super().create(vals_list)

    def write(self, vals):
        self._check_distribution_system_fields([vals])
        if not self.env.su and "user_id" in vals and not self._is_inventory_manager():
            self._check_can_take(vals["user_id"])
        if not self.env.su and set(vals) - {"note", "user_id"}:
            closed = self.filtered(lambda c: c.state not in COUNTING_STATES)
            if closed:
                raise UserError(
                    self.env._(
                        "Cycle counts %(names)s are submitted, done or cancelled: they cannot be changed.",
                        names=", ".join(closed.mapped("name")),
                    )
                )
            if "location_id" in vals and self.filtered(lambda c: c.state != "draft"):
                raise UserError(
                    self.env._("Cycle counts %(names)s are being counted: their location cannot change.",
                               names=", ".join(self.filtered(lambda c: c.state != "draft").mapped("name")))
                )
        return super().write(vals)

    def unlink(self):
        if any(count.state not in ("draft", "cancel") for count in self):
            raise UserError(self.env._("Only cycle counts not started or cancelled can be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------------------------------------
    # Rules (named predicates)
    # ------------------------------------------------------------------------------------------------
    def _lock_for_counting(self):
        """Lock the tasks' rows (in id order) for this transaction, and read them again: whoever comes
        second waits, then sees what the first did (or cannot serialize and is retried by the request)."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM distribution_cycle_count WHERE id IN %s ORDER BY id FOR UPDATE", [tuple(self.ids)]
        )
        self.invalidate_recordset()
        self.line_ids.invalidate_recordset()

    def _is_inventory_manager(self):
        return self.env.user.has_group("stock.group_stock_manager")

    def _check_can_count(self):
        """The task is open for counting by the current user: a warehouse user of its company, the
        task not started by someone else (an inventory manager may take it over)."""
        for count in self:
            if count.state not in COUNTING_STATES:
                raise UserError(
                    self.env._(
                        "Cycle count %(name)s is %(state)s: it cannot be counted.",
                        name=count.name, state=count._state_label(),
                    )
                )
            if count.state == "in_progress" and count.counter_id != self.env.user and not count._is_inventory_manager():
                raise UserError(
                    self.env._(
                        "Cycle count %(name)s is being counted by %(user)s: two people cannot count one location "
                        "at once.",
                        name=count.name, user=count.counter_id.name,
                    )
                )
            if count.user_id and count.user_id != self.env.user and not count._is_inventory_manager():
                raise UserError(
                    self.env._("Cycle count %(name)s is assigned to %(user)s.", name=count.name,
                               user=count.user_id.name)
                )

    def _check_can_take(self, user_id):
        """A warehouse user assigns a task to themselves (or leaves it to anyone) when it is theirs or
        nobody's; dispatching tasks to others is an inventory manager's."""
        others = self.filtered(lambda c: c.user_id and c.user_id != self.env.user)
        if others or (user_id and user_id != self.env.uid):
            raise AccessError(
                self.env._(
                    "%(user)s can take cycle counts for themselves only (%(names)s); an inventory manager "
                    "assigns them to others.",
                    user=self.env.user.name, names=", ".join(self.mapped("name")),
                )
            )

    def _check_can_approve(self):
        """Approve or reject: an inventory manager of the count's company, never the person who counted."""
        if not self._is_inventory_manager():
            raise AccessError(
                self.env._(
                    "Only an inventory manager can approve or reject cycle counts (%(names)s); %(user)s is not one.",
                    names=", ".join(self.mapped("name")), user=self.env.user.name,
                )
            )
        for count in self:
            if count.state != "to_approve":
                raise UserError(
                    self.env._("Cycle count %(name)s is %(state)s: there is nothing to approve.", name=count.name,
                               state=count._state_label())
                )
            if count.counter_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "Cycle count %(name)s was counted by %(user)s: nobody approves their own count; another "
                        "inventory manager must.",
                        name=count.name, user=self.env.user.name,
                    )
                )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_start(self):
        """Start counting: the current user becomes the counter and the recorded quantities are taken
        now (the counter never sees them). Starting a task already counted by oneself is a no-op."""
        self.check_access("write")
        self._lock_for_counting()
        self._check_can_count()
        for count in self.filtered(lambda c: c.state == "draft" or c.counter_id != self.env.user):
            vals = {"counter_id": self.env.user.id, "state": "in_progress"}
            if count.state == "draft":
                vals["date_started"] = fields.Datetime.now()
                if not count.line_ids:
                    count.sudo()._add_stocked_lines()
                count.line_ids.filtered(lambda line: line.state == "draft").sudo()._take_snapshot()
            if not count.user_id:
                vals["user_id"] = self.env.user.id
            count.sudo().write(vals)
        return True

    def action_restart(self):
        """Count again from zero: the recorded quantities are taken again now (after stock moved during
        the count, for instance) and the counted quantities cleared."""
        self.check_access("write")
        self._lock_for_counting()
        self._check_can_count()
        lines = self.line_ids.filtered(lambda line: line.state == "draft")
        lines.sudo().write({"counted_qty": 0.0})
        lines.sudo()._take_snapshot()
        self.sudo().write({"date_started": fields.Datetime.now(), "counter_id": self.env.user.id,
                           "state": "in_progress"})
        return True

    def action_submit(self):
        """Submit the count. Lines within the company's approval thresholds apply at once (Odoo inventory
        adjustment); lines above either threshold wait for an inventory manager, with one stock discrepancy
        raised on the task and an activity for the managers. Refused when stock moved in the location since
        counting started (recount)."""
        self.check_access("write")
        self._lock_for_counting()
        for count in self:
            if count.state != "in_progress":
                raise UserError(
                    self.env._("Cycle count %(name)s is %(state)s: start counting before submitting.",
                               name=count.name, state=count._state_label())
                )
        self._check_can_count()
        for count in self:
            lines = count.line_ids.filtered(lambda line: line.state == "draft")
            lines._check_lots()
            lines._check_not_stale()
            lines.sudo()._record_difference()
            waiting = lines.filtered(lambda line: line._needs_approval())
            (lines - waiting).sudo()._apply_count()
            waiting.sudo().write({"state": "to_approve"})
            vals = {"date_submitted": fields.Datetime.now(), "counter_id": self.env.user.id}
            if waiting:
                vals["state"] = "to_approve"
                count.sudo().write(vals)
                count._on_waiting_approval(waiting)
            else:
                vals["state"] = "done"
                count.sudo().write(vals)
                count._mark_location_counted()
        return True

    def action_approve(self):
        """Apply the waiting lines (an inventory manager other than the counter). Refused, asking for a
        recount, when stock moved in the location since the count: the counted quantities are no longer
        what is there."""
        self.check_access("write")
        self._lock_for_counting()
        self._check_can_approve()
        for count in self:
            waiting = count.line_ids.filtered(lambda line: line.state == "to_approve")
            waiting._check_not_stale(approving=True)
            waiting.sudo()._apply_count()
            count.sudo().write({"state": "done", "approver_id": self.env.user.id,
                                "date_approved": fields.Datetime.now()})
            count._mark_location_counted()
            count._close_approval(
                self.env._("Approved by %(user)s: the counted quantities were applied.", user=self.env.user.name)
            )
        return True

    def action_reject(self):
        """Send the waiting lines back to be counted again (an inventory manager other than the counter):
        the task returns to To Count; the lines already applied stay applied."""
        self.check_access("write")
        self._lock_for_counting()
        self._check_can_approve()
        for count in self:
            waiting = count.line_ids.filtered(lambda line: line.state == "to_approve")
            waiting.sudo().write({"state": "draft", "counted_qty": 0.0, "recorded_qty": 0.0,
                                  "difference_qty": 0.0, "difference_value": 0.0})
            count.sudo().write({"state": "draft", "counter_id": False, "date_started": False,
                                "date_submitted": False})
            count._close_approval(
                self.env._("Rejected by %(user)s: the lines above the threshold are to be counted again.",
                           user=self.env.user.name)
            )
        return True

    def action_cancel(self):
        """Cancel the tasks (their discrepancy is cancelled with them). Warehouse users cancel the tasks
        they may count; a task waiting for approval is an inventory manager's to cancel."""
        self.check_access("write")
        self._lock_for_counting()
        for count in self:
            if count.state == "done":
                raise UserError(self.env._("Cycle count %(name)s is done: it cannot be cancelled.", name=count.name))
            if count.state == "to_approve" and not self._is_inventory_manager():
                raise AccessError(
                    self.env._("Cycle count %(name)s waits for approval: only an inventory manager can cancel it.",
                               name=count.name)
                )
        if not self._is_inventory_manager():
            # A warehouse user cancels the tasks they may count, not a colleague's.
            self.filtered(lambda c: c.state != "cancel")._check_can_count()
        self.sudo().write({"state": "cancel"})
        for count in self:
            count._close_approval(self.env._("Cancelled by %(user)s.", user=self.env.user.name), cancel=True)
        return True

    def action_reset(self):
        """A cancelled task to count again (refused when another task is open on its location)."""
        self.check_access("write")
        for count in self:
            if count.state != "cancel":
                raise UserError(self.env._("Cycle count %(name)s is not cancelled.", name=count.name))
        open_counts = self.sudo().search(
            [("location_id", "in", self.location_id.ids), ("state", "in", ("draft", "in_progress", "to_approve"))]
        )
        if open_counts:
            raise UserError(
                self.env._(
                    "%(location)s already has an open cycle count (%(names)s): finish or cancel it first.",
                    location=open_counts[0].location_id.display_name,
                    names=", ".join(open_counts.mapped("name")),
                )
            )
        self.sudo().write({"state": "draft", "counter_id": False, "date_started": False, "date_submitted": False})
        return True

    def _action_view(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "distribution_cycle_count.distribution_cycle_count_action"
        )
        action["domain"] = [("id", "in", self.ids)]
        return action

    # ------------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------------
    def _add_stocked_lines(self):
        """A task made by hand with no lines counts what is stocked in its location."""
        self.ensure_one()
        rows = self.env["stock.quant"]._read_group(
            [("location_id", "=", self.location_id.id), ("quantity", ">", 0), ("owner_id", "=", False)],
            ["product_id", "lot_id", "package_id"],
        )
        self.env["distribution.cycle.count.line"].create(
            [{"count_id": self.id, "product_id": product.id, "lot_id": lot.id, "package_id": package.id}
             for product, lot, package in rows]
        )

    def _on_waiting_approval(self, waiting):
        """Raise the count's stock discrepancy (one per count) and ask the inventory managers of the
        company (the counter excepted) to approve."""
        self.ensure_one()
        Exception_ = self.env["distribution.exception"]
        rows = [
            self.env._(
                "%(product)s%(lot)s: counted %(counted)s %(uom)s, recorded %(recorded)s (%(difference)+g, "
                "%(value)s %(currency)s)",
                product=line.product_id.display_name,
                lot=f" ({line.lot_id.name})" if line.lot_id else "",
                counted=line.counted_qty, recorded=line.recorded_qty, uom=line.product_uom_id.name,
                difference=line.difference_qty, value=round(line.difference_value, 2),
                currency=self.company_id.currency_id.name,
            )
            for line in waiting.sudo()
        ]
        exceptions = Exception_._raise_exceptions(
            "stock_discrepancy",
            [{
                "record": self,
                "company": self.company_id,
                "product_id": waiting.product_id if len(waiting.product_id) == 1 else False,
                "facts": Exception_._facts(
                    self.env._(
                        "Cycle count %(name)s of %(location)s by %(user)s differs from the recorded stock beyond "
                        "the approval threshold (%(qty)s units or %(value)s %(currency)s): it waits for an "
                        "inventory manager's approval.",
                        name=self.name, location=self.location_id.display_name, user=self.env.user.name,
                        qty=self.company_id.distribution_count_approval_qty,
                        value=self.company_id.distribution_count_approval_value,
                        currency=self.company_id.currency_id.name,
                    ),
                    rows,
                ),
            }],
        )
        if exceptions:
            self.sudo().exception_id = exceptions[:1]
        else:
            self.sudo().exception_id = Exception_.sudo().search(
                [("code", "=", "stock_discrepancy"), ("res_model", "=", self._name), ("res_id", "=", self.id),
                 ("state", "in", ("new", "in_progress", "waiting"))], limit=1
            )
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        note = Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % row for row in rows)
        for manager in self._get_approvers():
            self.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("Approve cycle count %(name)s", name=self.name),
                note=note,
                user_id=manager.id,
            )

    def _get_approvers(self):
        """The inventory managers of the count's company who may approve it (not the counter)."""
        self.ensure_one()
        group = self.env.ref("stock.group_stock_manager")
        return self.env["res.users"].sudo().search(
            [("all_group_ids", "in", group.ids), ("share", "=", False), ("company_ids", "in", self.company_id.ids),
             ("id", "not in", (self.counter_id | self.env.ref("base.user_root")).ids)]
        )

    def _close_approval(self, note, cancel=False):
        """The approval is over: its activities are done and its discrepancy closed with ``note``."""
        self.ensure_one()
        activities = self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
        )
        if activities:
            activities.action_feedback(feedback=note)
        self.env["distribution.exception"]._resolve_exceptions("stock_discrepancy", self, note, cancel=cancel)
        self.message_post(body=note)

    def _mark_location_counted(self):
        """The location was counted today (Odoo's own last inventory date), even when nothing differed."""
        self.ensure_one()
        self.location_id.sudo().write({"last_inventory_date": fields.Date.context_today(self)})

    # ------------------------------------------------------------------------------------------------
    # Scanner API (JSON-friendly; the warehouse scanner's client action calls these with orm.call)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def scanner_list_tasks(self):
        """The count tasks the current user may count now, in their companies: assigned to them or to
        nobody, to count or being counted by them, ordered by location.

        :returns: list of dicts ``{id, name, state, location, location_id, warehouse, assigned, line_count}``
        """
        domain = Domain([
            ("company_id", "in", self.env.companies.ids),
            ("state", "in", COUNTING_STATES),
            "|", ("user_id", "=", False), ("user_id", "=", self.env.uid),
        ])
        domain &= Domain.OR([[("state", "=", "draft")], [("counter_id", "=", self.env.uid)]])
        tasks = self.search(domain).sorted(lambda c: (c.location_id.complete_name or "", c.id))
        return [task._scanner_task_summary() for task in tasks]

    @api.model
    def scanner_open(self, count_id):
        """Start (or resume) counting the task ``count_id`` as the current user.

        :returns: ``{task, location, lines}`` (see ``_scanner_task_dict``); never the recorded quantities.
        :raises UserError: the task is counted by someone else, assigned to someone else, or not countable.
        """
        count = self._scanner_browse(count_id)
        count.action_start()
        return count._scanner_task_dict()

    @api.model
    def scanner_scan(self, count_id, barcode, quantity=1):
        """Count a scanned barcode in task ``count_id``: a product's barcode adds ``quantity``, a packaging
        barcode (``product.uom``) adds ``quantity`` packagings, a lot/serial number adds ``quantity`` of that
        lot. A product stocked-but-unexpected gets a new line.

        :returns: the updated line (``_scanner_line_dict``).
        :raises UserError: unknown barcode, a product of another company, the task not counted by the user.
        """
        count = self._scanner_browse(count_id)
        count._lock_for_counting()
        count._check_can_count()
        if count.state != "in_progress":
            count.action_start()
        product, lot, factor = count._scanner_find_barcode(barcode)
        if product.tracking != "none" and not lot:
            raise UserError(
                self.env._("%(product)s is tracked by lot or serial number: scan the lot/serial number (count "
                           "%(name)s).", product=product.display_name, name=count.name)
            )
        if quantity is None or quantity <= 0:
            raise UserError(self.env._("Cycle count %(name)s: scan a positive quantity.", name=count.name))
        line = count.line_ids.filtered(
            lambda ln: ln.product_id == product and ln.state == "draft" and (not lot or ln.lot_id == lot)
        )[:1]
        if not line:
            line = self.env["distribution.cycle.count.line"].create(
                {"count_id": count.id, "product_id": product.id, "lot_id": lot.id}
            )
        line.write({"counted_qty": line.counted_qty + quantity * factor})
        return line._scanner_line_dict()

    @api.model
    def scanner_set_quantity(self, line_id, quantity):
        """Set the counted quantity of line ``line_id``. :returns: the line (``_scanner_line_dict``)."""
        line = self.env["distribution.cycle.count.line"].browse(int(line_id)).exists()
        if not line:
            raise UserError(self.env._("Cycle count line %(id)s does not exist.", id=line_id))
        line.check_access("write")
        line.count_id._lock_for_counting()
        line.count_id._check_can_count()
        if line.count_id.state != "in_progress":
            line.count_id.action_start()
        line.write({"counted_qty": quantity})
        return line._scanner_line_dict()

    @api.model
    def scanner_submit(self, count_id):
        """Submit the task ``count_id``.

        :returns: ``{task, state, applied: [lines], to_approve: [lines]}``: what was applied at once and
            what waits for an inventory manager's approval.
        """
        count = self._scanner_browse(count_id)
        count.action_submit()
        lines = count.line_ids
        return {
            "task": count._scanner_task_summary(),
            "state": count.state,
            "applied": [line._scanner_line_dict() for line in lines.filtered(lambda ln: ln.state == "applied")],
            "to_approve": [line._scanner_line_dict() for line in lines.filtered(lambda ln: ln.state == "to_approve")],
        }

    @api.model
    def _scanner_browse(self, count_id):
        count = self.browse(int(count_id)).exists()
        if not count:
            raise UserError(self.env._("Cycle count %(id)s does not exist.", id=count_id))
        count.check_access("read")
        return count

    def _scanner_find_barcode(self, barcode):
        """(product, lot, factor) of a scanned barcode in this count's company: product barcode (factor
        1), packaging (``product.uom``: its unit in the product's unit) or lot/serial number."""
        self.ensure_one()
        barcode = (barcode or "").strip()
        company_domain = [("company_id", "in", (False, self.company_id.id))]
        Product = self.env["product.product"].with_company(self.company_id)
        product = Product.search([("barcode", "=", barcode), *company_domain], limit=1)
        if product:
            return product, self.env["stock.lot"], 1.0
        packaging = self.env["product.uom"].search([("barcode", "=", barcode), *company_domain], limit=1)
        if packaging and packaging.product_id.company_id in (self.company_id, self.env["res.company"]):
            product = packaging.product_id
            return product, self.env["stock.lot"], packaging.uom_id._compute_quantity(1.0, product.uom_id)
        lot = self.env["stock.lot"].search([("name", "=", barcode), *company_domain], limit=1)
        if lot:
            return lot.product_id, lot, 1.0
        elsewhere = self.env["product.product"].sudo().with_context(active_test=False).search(
            [("barcode", "=", barcode)], limit=1
        )
        if elsewhere:
            raise UserError(
                self.env._(
                    "Barcode %(barcode)s is %(product)s of %(company)s: it cannot be counted in %(count_company)s "
                    "(count %(name)s).",
                    barcode=barcode, product=elsewhere.display_name, company=elsewhere.company_id.name,
                    count_company=self.company_id.name, name=self.name,
                )
            )
        raise UserError(
            self.env._("Barcode %(barcode)s is no product, packaging or lot known in %(company)s (count %(name)s).",
                       barcode=barcode, company=self.company_id.name, name=self.name)
        )

    def _scanner_task_summary(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "location": self.location_id.display_name,
            "location_id": self.location_id.id,
            "warehouse": self.warehouse_id.name,
            "assigned": self.user_id.name or False,
            "line_count": len(self.line_ids.filtered(lambda line: line.state == "draft")),
        }

    def _scanner_task_dict(self):
        """The task as the scanner shows it: the lines still to count, without recorded quantities."""
        self.ensure_one()
        return {
            "task": self._scanner_task_summary(),
            "location": {"id": self.location_id.id, "name": self.location_id.display_name,
                         "barcode": self.location_id.barcode or False},
            "lines": [line._scanner_line_dict() for line in self.line_ids.filtered(lambda ln: ln.state == "draft")],
        }
