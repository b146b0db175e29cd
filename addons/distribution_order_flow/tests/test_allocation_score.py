from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_order import OrderFlowCase

# A Monday, 10:00 UTC; the company works Monday to Friday.
MONDAY = datetime(2026, 3, 2, 10, 0, 0)


@tagged("post_install", "-at_install")
class TestAllocationScore(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write(
            {
                "allocation_weight_class": 50,
                "allocation_weight_promise": 30,
                "allocation_weight_rush": 15,
                "allocation_weight_cutoff": 5,
                "allocation_promise_horizon_days": 10,
                "allocation_priority_threshold": 75,
            }
        )
        cls.company_a.partner_id.tz = "UTC"
        cls.key = cls.CustomerClass.create(
            {"name": "Key (alloc)", "code": "AKEY", "priority": 90, "ship_policy": "complete"}
        )
        cls.dealer = cls.CustomerClass.create({"name": "Dealer (alloc)", "code": "ADEAL", "priority": 40})
        cls.key_customer = cls.env["res.partner"].create(
            {"name": "Key Account", "is_company": True, "distribution_class_id": cls.key.id}
        )
        cls.dealer_customer = cls.env["res.partner"].create(
            {"name": "Small Dealer", "is_company": True, "distribution_class_id": cls.dealer.id}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Evening Truck",
                "product_id": cls.env["product.product"].create({"name": "Truck freight", "type": "service"}).id,
                "distribution_cutoff_time": 15.0,
            }
        )

    def _confirmed(self, partner, **vals):
        self._stock(self.cable, 100)
        order = self._order([(self.cable, 2, None, 0.0)], partner=partner, **vals)
        order.action_confirm()
        return order

    def test_score_formula_and_ordering(self):
        with freeze_time(MONDAY):
            key = self._confirmed(self.key_customer, commitment_date=MONDAY + timedelta(days=5))
            dealer = self._confirmed(self.dealer_customer, commitment_date=MONDAY + timedelta(days=5))
            rush = self._confirmed(self.dealer_customer, commitment_date=MONDAY + timedelta(days=5), is_rush=True)
            late = self._confirmed(self.dealer_customer, commitment_date=MONDAY - timedelta(days=1))
        # (50 x 90 + 30 x 50 (5 of 10 days left) + 0 + 0) / 100 = 60
        self.assertAlmostEqual(key.order_line.move_ids.allocation_score, 60.0)
        # (50 x 40 + 30 x 50) / 100 = 35; rush adds 15; a promise already due adds the full 30
        self.assertAlmostEqual(dealer.order_line.move_ids.allocation_score, 35.0)
        self.assertAlmostEqual(rush.order_line.move_ids.allocation_score, 50.0)
        self.assertAlmostEqual(late.order_line.move_ids.allocation_score, 50.0)
        ordered = self.env["stock.move"].search(
            [("id", "in", (key | dealer | rush).order_line.move_ids.ids)], order="allocation_score desc"
        )
        self.assertEqual(ordered.sale_line_id.order_id, key | rush | dealer)

    def test_no_class_is_neutral_and_internal_moves_score_zero(self):
        with freeze_time(MONDAY):
            order = self._confirmed(self.customer, commitment_date=MONDAY + timedelta(days=10))
        self.assertAlmostEqual(order.order_line.move_ids.allocation_score, 25.0, msg="(50 x 50 + 30 x 0) / 100")
        self.assertEqual(self.env["stock.move"].new({"product_id": self.cable.id})._get_allocation_score(MONDAY), 0.0)

    def test_high_score_stars_the_delivery_and_rush_rescores(self):
        self.company_a.allocation_priority_threshold = 60
        with freeze_time(MONDAY):
            dealer = self._confirmed(self.dealer_customer, commitment_date=MONDAY + timedelta(days=5))
            picking = dealer.picking_ids
            self.assertEqual(picking.priority, "0")
            dealer.is_rush = True  # 35 -> 50: still below
            self.assertAlmostEqual(picking.allocation_score, 50.0)
            dealer.commitment_date = MONDAY  # due now: 50 + 15 = 65
            self.assertAlmostEqual(picking.allocation_score, 65.0)
            self.assertRecordValues(picking, [{"priority": "1", "distribution_auto_starred": True}])
            dealer.is_rush = False
            self.assertRecordValues(picking, [{"priority": "0", "distribution_auto_starred": False}])
            # A transfer starred by a person stays starred.
            picking.priority = "1"
            dealer.commitment_date = MONDAY + timedelta(days=9)
            self.assertEqual(picking.priority, "1")

    def test_hourly_refresh_as_the_promise_comes_closer(self):
        with freeze_time(MONDAY):
            order = self._confirmed(self.dealer_customer, commitment_date=MONDAY + timedelta(days=10))
        self.assertAlmostEqual(order.order_line.move_ids.allocation_score, 20.0)
        with freeze_time(MONDAY + timedelta(days=5)):
            self.env["stock.move"]._cron_refresh_allocation_scores()
        self.assertAlmostEqual(order.order_line.move_ids.allocation_score, 35.0)

    def test_carrier_cutoff_raises_the_score_before_it(self):
        with freeze_time(MONDAY):  # 10:00, cut-off 15:00
            order = self._confirmed(
                self.dealer_customer, commitment_date=MONDAY + timedelta(hours=2), carrier_id=self.carrier.id
            )
        # 50 x 40 + 30 x 99.17 (due in 2 hours of a 10-day horizon) + 5 x 100 (today's truck) = 54.75
        self.assertAlmostEqual(order.order_line.move_ids.allocation_score, 54.75)

    def test_bad_settings_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.company_a.write({"allocation_weight_class": 0, "allocation_weight_promise": 0,
                                  "allocation_weight_rush": 0, "allocation_weight_cutoff": 0})
        self.assertIn("must not all be zero", str(refused.exception))
        with self.assertRaises(ValidationError):
            self.company_a.allocation_weight_rush = -1
        with self.assertRaises(ValidationError):
            self.company_a.allocation_priority_threshold = 101
        with self.assertRaises(ValidationError):
            self.carrier.distribution_cutoff_time = 24


@tagged("post_install", "-at_install")
class TestShipPolicyAndCutoff(OrderFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.partner_id.tz = "Europe/Brussels"  # UTC+1 in March
        cls.complete_class = cls.CustomerClass.create(
            {"name": "Retail (alloc)", "code": "ARET", "ship_policy": "complete"}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Afternoon Van",
                "product_id": cls.env["product.product"].create({"name": "Van freight", "type": "service"}).id,
                "distribution_cutoff_time": 15.5,  # 15:30 Brussels = 14:30 UTC
            }
        )

    def test_ship_policy_from_class_and_overridable(self):
        self.customer.distribution_class_id = self.complete_class
        order = self._order([(self.cable, 5, None, 0.0)])
        self.assertRecordValues(order, [{"ship_policy": "complete", "picking_policy": "one"}])
        order.ship_policy = "partial"
        self.assertEqual(order.picking_policy, "direct")
        order.ship_policy = "complete"
        self._stock(self.cable, 2)
        order.action_confirm()
        self.assertEqual(order.picking_ids.move_type, "one", "ship complete: one shipment when all is there")
        form = Form(self.env["sale.order"].with_user(self.salesperson))
        form.partner_id = self.customer
        self.assertEqual(form.ship_policy, "complete")

    def test_partial_policy_by_default(self):
        order = self._order([(self.cable, 5, None, 0.0)])
        self.assertRecordValues(order, [{"ship_policy": "partial", "picking_policy": "direct"}])

    def _confirm_with_carrier(self):
        self._stock(self.cable, 10)
        order = self._order([(self.cable, 1, None, 0.0)], carrier_id=self.carrier.id)
        order.action_confirm()
        return order.picking_ids

    def test_before_cutoff_ships_today(self):
        with freeze_time("2026-03-02 14:29:00"):  # Monday 15:29 in Brussels
            picking = self._confirm_with_carrier()
            self.assertEqual(picking.scheduled_date.date(), fields.Date.to_date("2026-03-02"))

    def test_after_cutoff_ships_next_working_day(self):
        with freeze_time("2026-03-02 14:31:00"):  # Monday 15:31 in Brussels
            picking = self._confirm_with_carrier()
        self.assertEqual(picking.scheduled_date, datetime(2026, 3, 3, 7, 0), "Tuesday 08:00 Brussels")
        self.assertIn("cut-off", picking.message_ids[0].body)

    def test_friday_after_cutoff_ships_monday(self):
        with freeze_time("2026-03-06 16:00:00"):  # Friday 17:00 in Brussels
            picking = self._confirm_with_carrier()
        self.assertEqual(picking.scheduled_date, datetime(2026, 3, 9, 7, 0), "Monday 08:00 Brussels")

    def test_after_cutoff_before_a_holiday_ships_after_it(self):
        """Working days come from the warehouse's working hours, their public holidays excluded."""
        calendar = self.env["resource.calendar"].create({"name": "North warehouse hours", "tz": "Europe/Brussels"})
        self.env["resource.calendar.leaves"].create({
            "name": "Public holiday", "calendar_id": calendar.id,
            "date_from": datetime(2026, 3, 2, 23, 0), "date_to": datetime(2026, 3, 3, 22, 59),  # Tuesday
        })
        self.warehouse.distribution_calendar_id = calendar
        with freeze_time("2026-03-02 14:31:00"):  # Monday 15:31 in Brussels
            picking = self._confirm_with_carrier()
        self.assertEqual(picking.scheduled_date, datetime(2026, 3, 4, 7, 0), "Wednesday 08:00: Tuesday is off")
        # A company-wide holiday of the company's calendar counts the same when the warehouse has none.
        self.warehouse.distribution_calendar_id = False
        self.env["resource.calendar.leaves"].create({
            "name": "Company holiday", "calendar_id": self.company_a.resource_calendar_id.id,
            "date_from": datetime(2026, 3, 9, 23, 0), "date_to": datetime(2026, 3, 10, 22, 59),  # Tuesday
        })
        with freeze_time("2026-03-09 15:00:00"):  # Monday 16:00 in Brussels
            later = self._confirm_with_carrier()
        self.assertEqual(later.scheduled_date, datetime(2026, 3, 11, 7, 0), "Wednesday 08:00")

    def test_transfers_carry_their_carrier_departure(self):
        """Each transfer of a delivery carries when its carrier leaves on its scheduled day, the order the
        warehouse works in; a warehouse user cannot set it."""
        with freeze_time("2026-03-02 09:00:00"):  # Monday 10:00 in Brussels
            picking = self._confirm_with_carrier()
        self.assertEqual(picking.distribution_carrier_departure, datetime(2026, 3, 2, 14, 30), "15:30 Brussels")
        picking.scheduled_date = datetime(2026, 3, 5, 9, 0)
        self.assertEqual(picking.distribution_carrier_departure, datetime(2026, 3, 5, 14, 30))
        self.carrier.distribution_cutoff_time = 12.0
        self.assertEqual(picking.distribution_carrier_departure, datetime(2026, 3, 5, 11, 0))
        picker = new_test_user(self.env, login="dist_cutoff_picker", groups="stock.group_stock_user",
                               company_id=self.company_a.id, company_ids=[self.company_a.id])
        with self.assertRaisesRegex(AccessError, "set by the system"):
            picking.with_user(picker).write({"distribution_carrier_departure": datetime(2026, 3, 6, 9, 0)})
        self.assertEqual(picking.distribution_carrier_departure, datetime(2026, 3, 5, 11, 0))
        # Without a carrier, no departure: such transfers come after those with one.
        plain = self._order([(self.cable, 1, None, 0.0)])
        plain.action_confirm()
        self.assertFalse(plain.picking_ids.distribution_carrier_departure)


@tagged("post_install", "-at_install")
class TestAllocationScorePickPackShip(TestAllocationScore):
    """Scores, stars and their refresh on the picks of a pick + pack + ship warehouse."""

    delivery_steps = "pick_pack_ship"


@tagged("post_install", "-at_install")
class TestShipPolicyAndCutoffPickPackShip(TestShipPolicyAndCutoff):
    """Ship policy and carrier cut-off on the first step (the pick) of a pick + pack + ship delivery."""

    delivery_steps = "pick_pack_ship"
