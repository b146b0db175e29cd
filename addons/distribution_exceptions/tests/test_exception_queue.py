from datetime import datetime, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ExceptionCase

RAISED_AT = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestExceptionQueue(ExceptionCase):
    def _raise(self, record=None, code="short_pick", **item):
        record = record or self.customer
        with freeze_time(RAISED_AT):
            return self.Exception._raise_exceptions(code, [dict({"record": record}, **item)])

    def test_one_open_item_per_type_and_source(self):
        first = self._raise(facts=self.Exception._facts("first"))
        again = self._raise(facts=self.Exception._facts("second look"))
        self.assertEqual(len(first), 1)
        self.assertFalse(again, "a re-run raises nothing twice")
        self.assertIn("second look", " ".join(first.message_ids.mapped("body")), "new facts go to the chatter")
        other_type = self._raise(code="backorder")
        self.assertEqual(len(other_type), 1, "another type on the same document is its own item")
        # Once closed, a new occurrence is a new item.
        first.write({"resolution": "<p>done</p>"})
        first.action_resolve()
        self.assertEqual(len(self._raise()), 1)

    def test_database_refuses_a_second_open_item(self):
        first = self._raise()
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Exception.sudo().create(
                {"type_id": first.type_id.id, "res_model": "res.partner", "res_id": self.customer.id}
            )

    def test_sla_deadline_and_aging_buckets(self):
        exception = self._raise()  # short pick: SLA 8 hours
        self.assertEqual(exception.date_raised, RAISED_AT)
        self.assertEqual(exception.date_deadline, RAISED_AT + timedelta(hours=8))
        for delta, bucket, overdue in (
            (timedelta(hours=7, minutes=59), "lt1", False),
            (timedelta(hours=8, minutes=1), "lt1", True),
            (timedelta(days=1), "1to3", True),
            (timedelta(days=3) - timedelta(seconds=1), "1to3", True),
            (timedelta(days=3), "3to7", True),
            (timedelta(days=7), "gt7", True),
        ):
            with freeze_time(RAISED_AT + delta):
                self.Exception._cron_refresh_aging()
                exception.invalidate_recordset(["age_days"])
                self.assertRecordValues(exception, [{"aging_bucket": bucket, "is_overdue": overdue}])
                self.assertAlmostEqual(exception.age_days, delta.total_seconds() / 86400, delta=0.05)
        # A closed item is neither overdue nor aged further.
        with freeze_time(RAISED_AT + timedelta(days=8)):
            exception.write({"resolution": "<p>recounted</p>"})
            exception.action_resolve()
            self.assertFalse(exception.is_overdue)
            self.assertAlmostEqual(exception.resolution_hours, 192.0)
        with freeze_time(RAISED_AT + timedelta(days=20)):
            self.Exception._cron_refresh_aging()
            exception.invalidate_recordset(["age_days"])
            self.assertAlmostEqual(exception.age_days, 8.0, delta=0.05)

    def test_sla_change_applies_to_new_items_and_owner_may_move_a_deadline(self):
        exception = self._raise()
        exception.type_id.sla_hours = 2
        self.assertEqual(exception.date_deadline, RAISED_AT + timedelta(hours=8), "promised when raised")
        self.assertEqual(self._raise(record=self.vendor).date_deadline, RAISED_AT + timedelta(hours=2))
        exception.date_deadline = RAISED_AT + timedelta(days=2)
        self.assertEqual(exception.date_deadline, RAISED_AT + timedelta(days=2))
        with self.assertRaisesRegex(ValidationError, "cannot be before the date it was raised"):
            exception.date_deadline = RAISED_AT - timedelta(hours=1)

    def test_owner_from_document_then_type_then_team(self):
        short_pick = self.Type._get_by_code("short_pick")
        short_pick.user_id = self.exception_user
        self.assertEqual(self._raise(user_id=self.picker).user_id, self.picker)
        self.assertEqual(self._raise(record=self.vendor).user_id, self.exception_user)
        team = self.env["crm.team"].create({"name": "Customer Care", "user_id": self.sales_manager.id})
        short_pick.write({"user_id": False, "team_id": team.id})
        exception = self._raise(record=self.customer_contact)
        self.assertRecordValues(exception, [{"user_id": self.sales_manager.id, "team_id": team.id}])

    def test_lifecycle_and_resolution_note_required(self):
        # Short picks are routed to the warehouse desk, whose member takes the unassigned item.
        desk = self.env["crm.team"].create(
            {"name": "Warehouse desk (queue)", "member_ids": [(4, self.exception_user.id)]}
        )
        self.Type._get_by_code("short_pick").team_id = desk
        exception = self._raise().with_user(self.exception_user)
        exception.action_take()
        self.assertRecordValues(exception, [{"user_id": self.exception_user.id, "state": "in_progress"}])
        exception.action_wait()
        self.assertEqual(exception.state, "waiting")
        with self.assertRaisesRegex(ValidationError, r"cannot be resolved without a resolution note"):
            exception.action_resolve()
        exception.resolution = "<p>Customer accepted a partial delivery.</p>"
        exception.action_resolve()
        self.assertRecordValues(
            exception, [{"state": "resolved", "resolved_by_id": self.exception_user.id, "auto_resolved": False}]
        )
        with self.assertRaisesRegex(UserError, "already resolved or cancelled"):
            exception.action_resolve()
        exception.action_reopen()
        self.assertRecordValues(exception, [{"state": "new", "date_resolved": False, "resolved_by_id": False}])

    def test_reopen_refused_when_another_is_open(self):
        first = self._raise()
        first.action_cancel()
        second = self._raise()
        with self.assertRaisesRegex(UserError, r"cannot be reopened: another Short Pick item is already open"):
            first.action_reopen()
        self.assertTrue(second.is_open)

    def _partners(self, count):
        return self.env["res.partner"].create([{"name": f"Counted customer {index}"} for index in range(count)])

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_closing_and_noting_many_items_costs_what_two_do(self):
        """Closing items, and adding facts to open ones, write them and their notes together: the queries do
        not grow with the number of items."""
        costs = {}
        for count in (2, 2, 6):  # the first round warms the caches (subtypes, models)
            partners = self._partners(count)
            self._raise(record=partners[0])
            for partner in partners[1:]:
                self._raise(record=partner)
            items = self.Exception.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
            self.assertEqual(len(items), count)
            noted = self._queries(lambda p=partners: self.Exception._raise_exceptions(
                "short_pick", [{"record": partner, "facts": self.Exception._facts("counted again")} for partner in p]
            ))
            closed = self._queries(lambda p=partners: self.Exception._resolve_exceptions("short_pick", p, "Recounted."))
            costs[count] = (noted, closed)
            self.assertEqual(set(items.mapped("state")), {"resolved"})
            for item in items:
                bodies = " ".join(item.message_ids.mapped("body"))
                self.assertIn("counted again", bodies)
                self.assertIn("Recounted.", bodies)
            self.assertTrue(all(hours >= 0 for hours in items.mapped("resolution_hours")))
        self.assertEqual(costs[2], costs[6], "as many queries for 6 items as for 2")

    def test_resolution_time_follows_the_state(self):
        item = self._raise()
        with freeze_time(RAISED_AT + timedelta(hours=5)):
            item.write({"resolution": "<p>recounted</p>"})
            item.action_resolve()
        self.assertAlmostEqual(item.resolution_hours, 5.0)
        item.action_reopen()
        self.assertEqual(item.resolution_hours, 0.0, "open again: not resolved yet")
        with freeze_time(RAISED_AT + timedelta(hours=8)):
            item.action_resolve()
        self.assertAlmostEqual(item.resolution_hours, 8.0)

    def test_bad_source_refused(self):
        short_pick = self.Type._get_by_code("short_pick")
        with self.assertRaisesRegex(ValidationError, r"source document res.partner #999999 does not exist"):
            self.Exception.create({"type_id": short_pick.id, "res_model": "res.partner", "res_id": 999999})
        with self.assertRaisesRegex(ValidationError, r"no.such.model is not a model"):
            self.Exception.create({"type_id": short_pick.id, "res_model": "no.such.model", "res_id": 1})

    def test_archived_type_raises_nothing(self):
        self.Type._get_by_code("short_pick").active = False
        self.assertFalse(self._raise())

    def test_mass_assign(self):
        items = self._raise() | self._raise(record=self.vendor) | self._raise(record=self.customer_contact)
        action = items.with_user(self.exception_manager).env.ref(
            "distribution_exceptions.distribution_exception_assign_action"
        )
        self.assertTrue(action)
        wizard = Form(
            self.env["distribution.exception.assign"]
            .with_user(self.exception_manager)
            .with_context(active_model="distribution.exception", active_ids=items.ids)
        )
        wizard.user_id = self.exception_user
        wizard.note = "Please handle today"
        wizard.save().action_assign()
        self.assertEqual(items.mapped("user_id"), self.exception_user)
        self.assertIn("Please handle today", items[0].message_ids.mapped("body")[0])
        # Nobody to assign to, or a closed item, is refused with the names.
        with self.assertRaisesRegex(UserError, "Choose an owner or a team"):
            self.env["distribution.exception.assign"].with_user(self.exception_manager).create(
                {"exception_ids": [(6, 0, items.ids)]}
            ).action_assign()
        items[0].action_cancel()
        with self.assertRaisesRegex(UserError, f"Cannot assign closed exceptions: {items[0].name}"):
            self.env["distribution.exception.assign"].with_user(self.exception_manager).create(
                {"exception_ids": [(6, 0, items.ids)], "user_id": self.exception_user.id}
            ).action_assign()
        with self.assertRaisesRegex(UserError, "has no access to the company"):
            self.env["distribution.exception.assign"].with_user(self.exception_manager).create(
                {"exception_ids": [(6, 0, items[1:].ids)], "user_id": self.manager_b.id}
            ).action_assign()

    def test_open_source_and_document_counts(self):
        exception = self._raise(record=self.vendor, partner_id=self.vendor)
        action = exception.action_open_source()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.vendor.id))
        self.assertEqual(self.vendor.distribution_exception_count, 1)
        listed = self.vendor.action_view_distribution_exceptions()
        self.assertEqual(self.Exception.search(listed["domain"]), exception)

    def _send_digest(self):
        """The daily cron and the digest jobs it queued, run as the job runner would: the mails sent."""
        with trap_jobs() as trap:
            self.Exception._cron_send_digest()
            jobs = list(trap.enqueued_jobs)
            trap.perform_enqueued_jobs()
        return self.env["mail.mail"].union(*(job.result for job in jobs))

    def test_digest_one_job_per_owner_queued_once(self):
        self._raise(user_id=self.exception_manager)
        today = fields.Date.to_string(fields.Date.context_today(self.Exception))
        with trap_jobs() as trap:
            owners = self.Exception._cron_send_digest()
            self.assertIn(self.exception_manager, owners)
            self.Exception._enqueue_digest(self.exception_manager, today)  # queued again while it waits
            trap.assert_jobs_count(len(owners), only=self.Exception._job_send_digest)
            trap.assert_enqueued_job(
                self.Exception._job_send_digest,
                args=(self.exception_manager, today),
                properties={"identity_key": f"distribution_exception_digest:{self.exception_manager.id}:{today}"},
            )

    def test_digest_one_mail_per_owner_nothing_when_empty(self):
        short_pick = self.Type._get_by_code("short_pick")
        short_pick.user_id = self.exception_manager
        overdue = self._raise()
        fresh = self._raise(code="backorder", user_id=self.exception_manager)
        self._raise(record=self.vendor, user_id=self.salesperson)
        self.salesperson.email = False  # no address: skipped, never a crash
        # Only the owners of these tests' items (the database may hold other, demo, items).
        (self.Exception.sudo().search([]) - overdue - fresh).filtered(
            lambda e: e.user_id != self.salesperson
        ).write({"user_id": False})
        with freeze_time(RAISED_AT + timedelta(hours=10)):
            mails = self._send_digest()
        self.assertEqual(len(mails), 1, "the rep has no address: skipped")
        self.assertEqual(mails.recipient_ids, self.exception_manager.partner_id)
        self.assertIn("2 open, 1 overdue", mails.subject)
        self.assertIn(overdue.name, mails.body_html)
        self.assertIn(fresh.name, mails.body_html)
        self.assertLess(mails.body_html.index(overdue.name), mails.body_html.index(fresh.name), "overdue first")
        (overdue | fresh).write({"resolution": "<p>ok</p>"})
        (overdue | fresh).action_resolve()
        self.salesperson.email = "rep@example.com"
        mails = self._send_digest()
        self.assertEqual(mails.recipient_ids, self.salesperson.partner_id, "the manager has nothing open: no mail")
        self.assertFalse(self._send_digest(), "run again the same day: nothing sent twice")
