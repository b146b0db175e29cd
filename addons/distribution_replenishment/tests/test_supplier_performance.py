from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import ReplenishmentCase

APPROVED = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestSupplierPerformance(ReplenishmentCase):
    """Statistics from receipts on time, late and short, read from the purchase orders' receipts: live in the
    scorecard, stored per vendor and company for the vendor's fields and other modules."""

    def _purchase(self, product, qty, lead_days, approved=APPROVED):
        with freeze_time(approved):
            form = Form(self.env["purchase.order"])
            form.partner_id = self.vendor
            with form.order_line.new() as line:
                line.product_id = product
                line.product_qty = qty
                line.date_planned = approved + timedelta(days=lead_days)
            purchase = form.save()
            purchase.button_confirm()
        return purchase

    def _receive(self, purchase, qty, days_after_approval, backorder=False, run_jobs=True, approved=APPROVED):
        """Validate the open receipt of ``purchase``; then run the jobs it queued (the vendor's stored
        figures), as the job runner does once the validation is committed. Returns the trapped jobs."""
        receipt = self.env["stock.picking"].search(
            [("purchase_id", "=", purchase.id), ("state", "not in", ("done", "cancel"))]
        )
        with freeze_time(approved + timedelta(days=days_after_approval)), trap_jobs() as trap:
            receipt.move_ids.quantity = qty
            receipt.move_ids.picked = True
            result = receipt.button_validate()
            if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
                # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
                wizard = Form(self.env["stock.backorder.confirmation"].with_context(result["context"])).save()
                wizard.process() if backorder else wizard.process_cancel_backorder()
            self.env.flush_all()
            if run_jobs:
                trap.perform_enqueued_jobs()
        self.env.flush_all()
        return trap

    def _row(self, product=False):
        self.env.flush_all()  # the company's threshold, written by the test, is read by the view
        self.env["distribution.supplier.performance"].invalidate_model()  # a live view: read it again
        return self.env["distribution.supplier.performance"].search(
            [("partner_id", "=", self.vendor.id), ("product_id", "=", product.id if product else False)]
        )

    def test_on_time_late_and_short_receipts(self):
        # Cable: promised in 10 days; received on day 8 (on time), day 15 (5 days late), day 10 short 8/10.
        self._receive(self._purchase(self.cable, 10, 10), 10, 8)
        self._receive(self._purchase(self.cable, 10, 10), 10, 15)
        self._receive(self._purchase(self.cable, 10, 10), 8, 10)
        row = self._row(self.cable)
        self.assertEqual(row.receipt_count, 3)
        self.assertAlmostEqual(row.on_time_rate, 200 / 3, places=1)
        self.assertAlmostEqual(row.promised_lead_days, 10.0, places=1)
        self.assertAlmostEqual(row.actual_lead_days, (8 + 15 + 10) / 3, places=1)
        self.assertAlmostEqual(row.delay_days, (-2 + 5 + 0) / 3, places=1)
        self.assertAlmostEqual(row.fill_rate, (100 + 100 + 80) / 3, places=1)
        # Vendor totals and the fields buyers see on the vendor.
        self._receive(self._purchase(self.breaker, 5, 4), 5, 4)
        vendor_row = self._row()
        self.assertEqual(vendor_row.receipt_count, 4)
        self.assertAlmostEqual(vendor_row.on_time_rate, 75.0)
        self.vendor.invalidate_recordset()
        self.assertAlmostEqual(self.vendor.supplier_on_time_rate, 75.0)
        self.assertEqual(self.vendor.supplier_receipt_count, 4)
        action = self.vendor.action_view_supplier_scorecard()
        self.assertEqual(self.env["distribution.supplier.performance"].search(action["domain"]).partner_id, self.vendor)

    def test_partial_receipt_with_backorder_counts_each_receipt(self):
        purchase = self._purchase(self.cable, 10, 10)
        self._receive(purchase, 6, 9, backorder=True)
        self.assertFalse(self._row(self.cable).fill_rate, "fill rate waits for the line to be closed")
        self._receive(purchase, 4, 12)
        row = self._row(self.cable)
        self.assertEqual(row.receipt_count, 2)
        self.assertAlmostEqual(row.on_time_rate, 50.0)
        self.assertAlmostEqual(row.fill_rate, 100.0)

    def test_lead_time_drift_and_trend(self):
        self.company.replenishment_drift_days = 2
        for days in (10, 10, 9, 10, 10):  # on time
            self._receive(self._purchase(self.cable, 1, 10), 1, days)
        self.assertRecordValues(self._row(self.cable), [{"lead_drift": False, "trend": "stable"}])
        for days in (14, 15, 13, 14, 15):  # the last 5 are 3-5 days late
            self._receive(self._purchase(self.cable, 1, 10), 1, days)
        self.assertRecordValues(self._row(self.cable), [{"lead_drift": True, "trend": "worsening"}])

    def test_planner_uses_observed_lead_time_when_asked(self):
        for days in (14, 15, 16):
            self._receive(self._purchase(self.cable, 1, 10), 1, days)
        self._demand(self.cable, self.main, 5)
        self.assertEqual(self._lines(self._run(), self.cable, self.main).lead_days, 10.0, "promised by default")
        self.company.replenishment_use_observed_lead_time = True
        self.assertAlmostEqual(self._lines(self._run(), self.cable, self.main).lead_days, 15.0, places=1)

    def _receipts(self, product, approved, lead_days, received_after):
        """Purchases of ``product`` approved on ``approved``, promised in ``lead_days``, received after each of
        ``received_after`` days (one purchase each, a day apart)."""
        for index, days in enumerate(received_after):
            day = approved + timedelta(days=index)
            self._receive(self._purchase(product, 1, lead_days, approved=day), 1, days, approved=day)

    def _lead_activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.vendor.id),
             ("distribution_lead_company_id", "=", self.company.id)]
        )

    def test_lead_time_deterioration_against_the_vendors_history(self):
        self.company.replenishment_drift_days = 2
        self._receipts(self.cable, APPROVED, 10, [10, 10, 10, 10])  # 4 on time: too short a history
        self._receipts(self.cable, APPROVED + timedelta(days=20), 10, [14, 14, 14, 14, 14])  # the last 5: 4 late
        self.assertRecordValues(self._row(), [{"history_receipt_count": 4, "lead_deteriorating": False}])
        self._receipts(self.cable, APPROVED - timedelta(days=20), 10, [10])  # a fifth earlier receipt
        self.assertRecordValues(self._row(), [{"history_receipt_count": 5, "history_delay_days": 0.0,
                                               "recent_delay_days": 4.0, "lead_deteriorating": True}])
        # The threshold is a minimum: 4 days later is not 5.
        self.company.replenishment_drift_days = 5
        self.assertFalse(self._row().lead_deteriorating)
        self.company.replenishment_drift_days = 4
        self.assertTrue(self._row().lead_deteriorating)

    def test_one_activity_per_vendor_until_it_recovers(self):
        Performance = self.env["distribution.supplier.performance"]
        self._receipts(self.cable, APPROVED, 10, [10] * 5)
        self._receipts(self.breaker, APPROVED + timedelta(days=20), 10, [15] * 5)
        Performance._cron_check_lead_deterioration()
        activity = self._lead_activities()
        self.assertRecordValues(activity, [{"user_id": self.buyer.id}])
        self.assertIn("5.0 days late", activity.note)
        Performance._cron_check_lead_deterioration()
        self.assertEqual(self._lead_activities(), activity, "one activity, not one per run")
        # The buyer sees it on the vendor, and the planner plans with the recent lead time (15 days for the
        # breaker's own receipts; promised 4) without the observed lead time setting.
        self.assertIn(activity, self.vendor.with_user(self.buyer).activity_ids)
        self._demand(self.breaker, self.main, 50)  # more than the 10 received
        self._demand(self.cable, self.main, 50)
        run = self._run()
        self.assertAlmostEqual(self._lines(run, self.breaker, self.main).lead_days, 15.0, places=1)
        # The cable's own last receipts were on time, but its vendor is now 5 days late: promised 10 + 5.
        self.assertAlmostEqual(self._lines(run, self.cable, self.main).lead_days, 15.0, places=1)
        # Back in line: 5 receipts on time after them.
        self._receipts(self.breaker, APPROVED + timedelta(days=40), 10, [10] * 5)
        Performance._cron_check_lead_deterioration()
        self.assertFalse(self._lead_activities())
        self.assertTrue(activity.exists() and not activity.active, "marked done")
        self.assertIn("back in line", self.vendor.message_ids[:1].body)
        run = self._run()
        self.assertEqual(self._lines(run, self.breaker, self.main).lead_days, 4.0, "the promised lead time again")

    def test_companies_apart(self):
        self._receive(self._purchase(self.cable, 10, 10), 10, 8)
        company_b = self.env["res.company"].create({"name": "Scorecard Co B"})
        buyer_b = new_test_user(
            self.env, login="repl_buyer_b", groups="purchase.group_purchase_user",
            company_id=company_b.id, company_ids=[company_b.id],
        )
        Performance = self.env["distribution.supplier.performance"]
        self.assertFalse(Performance.with_user(buyer_b).search([("partner_id", "=", self.vendor.id)]))
        self.assertTrue(Performance.with_user(self.buyer).search([("partner_id", "=", self.vendor.id)]))

    def _stat(self, company=None):
        return self.env["distribution.supplier.stat"].search(
            [("partner_id", "=", self.vendor.id), ("company_id", "=", (company or self.company).id)]
        )

    def test_stored_figures_follow_a_late_receipt(self):
        for days in (8, 10):  # on time
            self._receive(self._purchase(self.cable, 10, 10), 10, days)
        self.assertRecordValues(self._stat(), [{"receipt_count": 2, "on_time_rate": 100.0}])
        Stat = self.env["distribution.supplier.stat"]
        trap = self._receive(self._purchase(self.cable, 10, 10), 10, 16, run_jobs=False)  # 6 days late
        trap.assert_jobs_count(1, only=Stat._job_refresh)
        trap.assert_enqueued_job(Stat._job_refresh, args=(self.vendor,))
        job = trap.enqueued_jobs[0]
        self.assertEqual(job.identity_key, f"distribution_supplier_stat:{self.company.id}:{self.vendor.id}")
        self.assertEqual(job.company_id, self.company.id)
        self.assertEqual(self._stat().receipt_count, 2, "stored: not yet refreshed while the job waits")
        self.assertEqual(self._row().receipt_count, 3, "the scorecard is live")
        trap.perform_enqueued_jobs()
        stat = self._stat()
        self.assertEqual(stat.receipt_count, 3)
        self.assertAlmostEqual(stat.on_time_rate, 200 / 3, places=1)
        self.assertAlmostEqual(stat.delay_days, (-2 + 0 + 6) / 3, places=1)
        self.assertEqual(stat.last_receipt_date, APPROVED + timedelta(days=16))
        self.vendor.invalidate_recordset()
        self.assertAlmostEqual(self.vendor.supplier_on_time_rate, 200 / 3, places=1)
        self.assertAlmostEqual(self.vendor.supplier_avg_delay_days, 4 / 3, places=1)
        # The stored figures are the scorecard's, and the nightly refresh of every vendor finds the same.
        row = self._row()
        self.assertRecordValues(stat, [{"on_time_rate": row.on_time_rate, "delay_days": row.delay_days,
                                        "recent_delay_days": row.recent_delay_days, "fill_rate": row.fill_rate}])
        Stat._cron_refresh()
        self.assertRecordValues(self._stat(), [{"receipt_count": 3, "on_time_rate": row.on_time_rate}])

    def test_stored_figures_refresh_is_idempotent_and_drops_vendors_without_receipts(self):
        self._receive(self._purchase(self.cable, 10, 10), 10, 8)
        Stat = self.env["distribution.supplier.stat"]
        stat = self._stat()
        company_b = self.env["res.company"].create({"name": "Figures Co B (refresh)"})
        Stat._refresh(vendors=self.vendor, company=self.company)
        Stat._refresh(vendors=self.vendor, company=company_b)  # no receipt there: company A's row stays
        self.assertEqual(self._stat(), stat, "the same row, updated")
        self.assertRecordValues(stat, [{"receipt_count": 1, "on_time_rate": 100.0}])
        # Figures of a vendor left without any receipt (its receipts were merged into another vendor's
        # record, say) are removed by the next refresh.
        gone = self.env["res.partner"].create({"name": "Former vendor", "is_company": True})
        orphan = Stat.sudo().create({"company_id": self.company.id, "partner_id": gone.id, "receipt_count": 4})
        self.assertEqual(gone.supplier_receipt_count, 4)
        Stat._cron_refresh()
        self.assertFalse(orphan.exists())
        self.assertEqual(self._stat(), stat)
        gone.invalidate_recordset()
        self.assertEqual(gone.supplier_receipt_count, 0)

    def test_stored_figures_readers(self):
        """Buyers read their companies' figures; nobody writes them but the system."""
        self._receive(self._purchase(self.cable, 10, 10), 10, 8)
        company_b = self.env["res.company"].create({"name": "Figures Co B"})
        buyer_b = new_test_user(
            self.env, login="repl_buyer_figures_b", groups="purchase.group_purchase_user",
            company_id=company_b.id, company_ids=[company_b.id],
        )
        Stat = self.env["distribution.supplier.stat"]
        self.assertEqual(Stat.with_user(self.buyer).search([("partner_id", "=", self.vendor.id)]), self._stat())
        self.assertFalse(Stat.with_user(buyer_b).search([("partner_id", "=", self.vendor.id)]))
        with self.assertRaises(AccessError):
            self._stat().with_user(self.buyer).write({"on_time_rate": 0.0, "receipt_count": 50})
        self.assertRecordValues(self._stat(), [{"on_time_rate": 100.0, "receipt_count": 1}])
