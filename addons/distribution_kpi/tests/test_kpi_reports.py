from odoo.tests import tagged

from .common import KpiCase


@tagged("post_install", "-at_install")
class TestKpiReports(KpiCase):
    """Each KPI on a small hand-built history whose answers are worked out by hand (frozen time)."""

    def test_order_cycle_time_and_invoice_lag(self):
        o1, o2, o3 = self._build_history()
        with self.step(12):
            self._validate(o3.picking_ids.filtered(lambda p: p.state != "done"), user=self.picker_2)
        rows = self.KpiOrder.search([("order_id", "in", (o1 | o2 | o3).ids)])
        self.assertRecordValues(
            rows.sorted(lambda row: row.order_id.id),
            [
                {
                    "order_id": o1.id,
                    "date_confirmed": self.at(1),
                    "date_shipped": self.at(3),
                    "date_invoiced": self.at(4),
                    "customer_class_id": self.key_accounts.id,
                    "user_id": self.salesperson.id,
                },
                {
                    "order_id": o2.id,
                    "date_confirmed": self.at(0, 12),
                    "date_shipped": self.at(6, 12),
                    "date_invoiced": self.at(8, 12),
                    "customer_class_id": self.key_accounts.id,
                    "user_id": self.salesperson.id,
                },
                {
                    "order_id": o3.id,
                    "date_confirmed": self.at(1),
                    "date_shipped": self.at(12),
                    "date_invoiced": False,
                    "customer_class_id": self.key_accounts.id,
                    "user_id": self.salesperson.id,
                },
            ],
        )
        [(avg, median, p90, count)] = self._values(
            "distribution.kpi.order",
            [("order_id", "in", (o1 | o2 | o3).ids)],
            [],
            ["ship_days:avg", "ship_days_median:median", "ship_days_p90:p90", "__count"],
        )
        # Confirmed to fully shipped: 2, 6 and 11 days.
        self.assertAlmostEqual(avg, 19 / 3, places=4)
        self.assertAlmostEqual(median, 6.0, places=4)
        self.assertAlmostEqual(p90, 10.0, places=4, msg="percentile_cont: 6 + 0.8 x (11 - 6)")
        self.assertEqual(count, 3)
        [(q2i_median, lag_median, lag_p90)] = self._values(
            "distribution.kpi.order", [("order_id", "in", (o1 | o2 | o3).ids), ("is_invoiced", "=", True)], [],
            ["quote_to_invoice_days_median:median", "invoice_lag_days_median:median", "invoice_lag_days_p90:p90"],
        )
        # Quotation to invoiced: 4 days and 8 days 4 hours; shipped to invoiced: 1 and 2 days.
        self.assertAlmostEqual(q2i_median, (4 + 8 + 4 / 24) / 2, places=4)
        self.assertAlmostEqual(lag_median, 1.5, places=4)
        self.assertAlmostEqual(lag_p90, 1.9, places=4)

    def test_order_cycle_by_period_and_dimension(self):
        o1, o2, _o3 = self._build_history()
        groups = self._values(
            "distribution.kpi.order",
            [("order_id", "in", (o1 | o2).ids), ("date_shipped", ">=", self.at(3)), ("date_shipped", "<", self.at(5))],
            ["customer_class_id", "user_id", "warehouse_id"],
            ["ship_days_median:median", "__count"],
        )
        self.assertEqual(
            groups, [(self.key_accounts, self.salesperson, self.warehouse, 2.0, 1)], "only O1 shipped then"
        )

    def test_fill_rate(self):
        o1, o2, o3 = self._build_history()
        rows = self.KpiFill.search([("order_id", "in", (o1 | o2 | o3).ids)])
        self.assertEqual(len(rows), 4, "one row per goods line")
        breaker_row = rows.filtered(lambda r: r.product_id == self.breaker)
        self.assertRecordValues(breaker_row, [{
            "qty_ordered": 4.0, "qty_first": 2.0, "line_filled": 0, "date": self.at(2), "order_id": o3.id,
        }])
        [(lines, quantity, count)] = self._values(
            "distribution.kpi.fill", [("order_id", "in", (o1 | o2 | o3).ids)], [],
            ["line_fill_rate:ratio", "qty_fill_rate:ratio", "line_count:sum"],
        )
        self.assertAlmostEqual(lines, 75.0, places=4, msg="3 lines of 4 complete in their first delivery")
        self.assertAlmostEqual(quantity, 100 * 22 / 24, places=4, msg="22 of 24 units in the first deliveries")
        self.assertEqual(count, 4)
        with self.step(12):
            self._validate(o3.picking_ids.filtered(lambda p: p.state != "done"))
        [(lines_after,)] = self._values(
            "distribution.kpi.fill", [("order_id", "in", (o1 | o2 | o3).ids)], [], ["line_fill_rate:ratio"]
        )
        self.assertAlmostEqual(lines_after, 75.0, places=4, msg="the backorder shipping later does not change it")

    def test_backorder_aging(self):
        _o1, _o2, o3 = self._build_history()
        backorder = o3.picking_ids.filtered(lambda p: p.state != "done")
        self.assertTrue(backorder.backorder_id)
        with self.step(9, 10):
            rows = self.KpiBackorder.search([("sale_order_id", "=", o3.id)])
            self.assertRecordValues(rows, [{
                "picking_id": backorder.id, "age_bucket": "3_7", "qty_open": 2.0, "date": self.at(2),
                "customer_class_id": self.key_accounts.id,
            }])
            self.assertAlmostEqual(rows.age_days, 7 + 2 / 24, places=4)
        with self.step(10, 9):
            self.KpiBackorder.invalidate_model()
            rows = self.KpiBackorder.search([("sale_order_id", "=", o3.id)])
            self.assertEqual(rows.age_bucket, "8_14", "8 days and an hour")
            groups = self.KpiBackorder._read_group(
                [("sale_order_id", "=", o3.id)], ["age_bucket"], ["backorder_count:sum"]
            )
            self.assertEqual(groups, [("8_14", 1)])
        with self.step(40):
            self.KpiBackorder.invalidate_model()
            self.assertEqual(self.KpiBackorder.search([("sale_order_id", "=", o3.id)]).age_bucket, "30_plus")
        with self.step(41):
            self._validate(backorder)
        self.KpiBackorder.invalidate_model()
        self.assertFalse(self.KpiBackorder.search([("sale_order_id", "=", o3.id)]), "shipped: no longer open")

    def test_pick_accuracy(self):
        o1, o2, o3 = self._build_history()
        with self.step(12):
            self._validate(o3.picking_ids.filtered(lambda p: p.state != "done"), user=self.picker_2)
        first = o3.picking_ids.filtered(lambda p: not p.backorder_id)
        self.assertRecordValues(first, [{
            "pick_validated_by_id": self.picker.id, "pick_line_count": 2, "pick_exact_line_count": 1,
            "pick_demand_qty": 9.0, "pick_done_qty": 7.0,
        }])
        pickings = (o1 | o2 | o3).picking_ids
        by_user = self._values(
            "distribution.kpi.pick", [("picking_id", "in", pickings.ids)], ["validated_by_id"],
            ["line_accuracy:ratio", "line_count:sum", "picking_count:sum"],
        )
        self.assertEqual(
            [(user, round(accuracy, 4), lines, count) for user, accuracy, lines, count in by_user],
            [(self.picker, round(200 / 3, 4), 3, 2), (self.picker_2, 100.0, 2, 2)],
        )
        [(lines, quantity, exact)] = self._values(
            "distribution.kpi.pick", [("picking_id", "in", pickings.ids)], [],
            ["line_accuracy:ratio", "qty_accuracy:ratio", "exact_picking_count:sum"],
        )
        self.assertAlmostEqual(lines, 80.0, places=4, msg="4 of 5 lines picked as demanded")
        self.assertAlmostEqual(quantity, 100 * 24 / 26, places=4)
        self.assertEqual(exact, 3)
        by_type = self._values("distribution.kpi.pick", [("picking_id", "in", pickings.ids)], ["picking_type_id"],
                               ["__count"])
        self.assertEqual(by_type, [(self.warehouse.out_type_id, 4)])

    def test_return_resolution_time(self):
        o1, o2, _o3 = self._build_history()
        with self.step(5, 10):
            return_picking = self._return(o1.picking_ids, {self.cable: 2})
            returned = self._open("return", return_picking)
        with self.step(6):
            claim = self.Exception._raise_exceptions(
                "claim", [{"record": o2, "sale_order_id": o2, "partner_id": self.customer}]
            )
            still_open = self.Exception._raise_exceptions(
                "claim", [{"record": o1, "sale_order_id": o1, "partner_id": self.customer}]
            )
        with self.step(7, 22):
            returned.write({"resolution": "<p>Credit note sent</p>"})
            returned.action_resolve()
        with self.step(10):
            claim.write({"resolution": "<p>Replaced</p>"})
            claim.action_resolve()
        cases = (returned | claim | still_open).ids
        [(median, p90, resolved, count)] = self._values(
            "distribution.kpi.return", [("exception_id", "in", cases)], [],
            ["resolution_days_median:median", "resolution_days_p90:p90", "resolved_rate:ratio", "case_count:sum"],
        )
        # Resolved in 2.5 days (the return) and 4 days (the claim); the open claim is in neither.
        self.assertAlmostEqual(median, 3.25, places=4)
        self.assertAlmostEqual(p90, 3.85, places=4)
        self.assertAlmostEqual(resolved, 200 / 3, places=4)
        self.assertEqual(count, 3)
        rows = self.KpiReturn.search([("exception_id", "=", returned.id)])
        self.assertRecordValues(rows, [{
            "sale_order_id": o1.id, "customer_class_id": self.key_accounts.id, "warehouse_id": self.warehouse.id,
            "user_id": self.salesperson.id, "date": self.at(5, 10), "is_resolved": True,
        }])
