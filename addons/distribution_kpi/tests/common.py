from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import new_test_user

from odoo.addons.distribution_exceptions.tests.common import ExceptionCase

# Monday 2 March 2026, 08:00 UTC: day 0 of the hand-built histories.
DAY_0 = datetime(2026, 3, 2, 8, 0)


class KpiCase(ExceptionCase):
    """The exceptions world, a customer class, a second picker, and a clock: each step of a history
    runs at a known time (frozen) and is flushed there, so flow events and validations carry it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company_a.id, "company_ids": [cls.company_a.id]}
        cls.picker_2 = new_test_user(cls.env, login="kpi_picker_2", groups="stock.group_stock_user", **company)
        cls.stock_manager = new_test_user(
            cls.env, login="kpi_stock_manager", groups="stock.group_stock_manager", email="stock@example.com", **company
        )
        cls.key_accounts = cls.env["distribution.customer.class"].create(
            {"name": "Key accounts (kpi test)", "code": "KPIK", "priority": 80, "company_id": cls.company_a.id}
        )
        cls.customer.with_company(cls.company_a).distribution_class_id = cls.key_accounts
        cls.KpiOrder = cls.env["distribution.kpi.order"]
        cls.KpiFill = cls.env["distribution.kpi.fill"]
        cls.KpiBackorder = cls.env["distribution.kpi.backorder"]
        cls.KpiPick = cls.env["distribution.kpi.pick"]
        cls.KpiReturn = cls.env["distribution.kpi.return"]

    @staticmethod
    def at(day, hour=8, minute=0):
        return DAY_0 + timedelta(days=day, hours=hour - 8, minutes=minute)

    def step(self, day, hour=8, minute=0):
        """Run the block at that time; flush inside it so computed states and events are dated."""
        return _Step(self, self.at(day, hour, minute))

    def _build_history(self):
        """Three orders of the key-account customer:
        O1 quoted day 0 08:00, confirmed day 1 08:00, shipped whole day 3 08:00 (picker), invoiced day 4 08:00;
        O2 quoted day 0 08:00, confirmed day 0 12:00, shipped whole day 6 12:00 (picker 2), invoiced day 8 12:00;
        O3 quoted and confirmed day 1 08:00, first delivery day 2 08:00 carries the 5 cables and 2 of the
        4 breakers (picker), the backorder ships day 12 08:00 (picker 2); not invoiced."""
        with self.step(0):
            self._stock(self.cable, 20)
            self._stock(self.breaker, 4)
            o1 = self._order([(self.cable, 10, None, 0.0)])
            o2 = self._order([(self.cable, 5, None, 0.0)])
        with self.step(0, 12):
            o2.with_user(self.salesperson).action_confirm()
        with self.step(1):
            o1.with_user(self.salesperson).action_confirm()
            o3 = self._order([(self.cable, 5, None, 0.0), (self.breaker, 4, None, 0.0)])
            o3.with_user(self.salesperson).action_confirm()
        with self.step(2):
            self._validate(o3.picking_ids, {self.breaker: 2})
        with self.step(3):
            self._validate(o1.picking_ids)
        with self.step(4):
            self._invoice(o1)
        with self.step(6, 12):
            self._validate(o2.picking_ids, user=self.picker_2)
        with self.step(8, 12):
            self._invoice(o2)
        return o1, o2, o3

    def _build_earlier_shipment(self):
        """An order confirmed day -10 (in February) and shipped whole day -6: 4 days."""
        with self.step(-10):
            self._stock(self.cable, 10)
            earlier = self._order([(self.cable, 10, None, 0.0)])
            earlier.with_user(self.salesperson).action_confirm()
        with self.step(-6):
            self._validate(earlier.picking_ids)
        return earlier

    def _check_risk(self, hourly=False):
        """Run the at-risk cron as it runs every 5 minutes (the orders changed since their last check) or
        hourly (``hourly``: every order that can be at risk, not checked for an hour), in the test's
        transaction: its commits between batches are counted, not made."""
        self.env.flush_all()
        SaleOrder = self.env["sale.order"]
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", autospec=True, return_value=60.0):
            if hourly:
                SaleOrder._cron_update_delivery_risk()
            else:
                SaleOrder._cron_refresh_delivery_risk()
        self.env.flush_all()

    def _values(self, model, domain, groupby, aggregates):
        self.env.flush_all()
        self.env[model].invalidate_model()
        return self.env[model]._read_group(domain, groupby, aggregates)


class _Step:
    def __init__(self, case, when):
        self.case, self.freezer = case, freeze_time(when)

    def __enter__(self):
        self.freezer.start()
        return self.case

    def __exit__(self, *exc):
        try:
            if not exc[0]:
                self.case.env.flush_all()
        finally:
            self.freezer.stop()
        return False
