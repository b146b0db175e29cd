from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReplenishmentSettings(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Replenishment Test Company B"})

    def test_defaults_for_a_new_company(self):
        self.assertRecordValues(
            self.company_b,
            [
                {
                    "replenishment_forecast_method": "auto",
                    "replenishment_history_days": 90,
                    "replenishment_smoothing_alpha": 0.3,
                    "replenishment_review_days": 7,
                    "replenishment_safety_days": 5.0,
                    "replenishment_use_observed_lead_time": False,
                }
            ],
        )

    def test_horizon_is_lead_time_plus_review_period(self):
        self.company_b.replenishment_review_days = 7
        self.assertEqual(self.company_b._get_replenishment_horizon_days(14), 21)
        self.assertEqual(self.company_b._get_replenishment_horizon_days(0), 7)
        self.assertEqual(self.company_b._get_replenishment_horizon_days(-3), 7, "a bad lead time counts as none")

    def _assert_refused(self, vals, message):
        with self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
            self.company_b.write(vals)
        self.company_b.invalidate_recordset()

    def test_boundaries(self):
        self.company_b.write(
            {
                "replenishment_history_days": 7,
                "replenishment_smoothing_alpha": 1.0,
                "replenishment_review_days": 0,
                "replenishment_safety_days": 0,
            }
        )
        self._assert_refused(
            {"replenishment_history_days": 6}, r"Company Replenishment Test Company B: the sales history"
        )
        self._assert_refused({"replenishment_smoothing_alpha": 0.0}, r"smoothing factor must be above 0 and at most 1")
        self._assert_refused({"replenishment_smoothing_alpha": 1.01}, r"smoothing factor")
        self._assert_refused({"replenishment_review_days": -1}, r"cannot be negative")
        self._assert_refused({"replenishment_safety_days": -0.5}, r"cannot be negative")
        self.assertEqual(self.company_b.replenishment_history_days, 7)

    def test_settings_are_per_company(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company_b))
        settings.replenishment_forecast_method = "exponential_smoothing"
        settings.replenishment_smoothing_alpha = 0.5
        settings.replenishment_safety_days = 10
        settings.replenishment_use_observed_lead_time = True
        settings.save().execute()
        self.assertRecordValues(
            self.company_b,
            [
                {
                    "replenishment_forecast_method": "exponential_smoothing",
                    "replenishment_smoothing_alpha": 0.5,
                    "replenishment_safety_days": 10.0,
                    "replenishment_use_observed_lead_time": True,
                }
            ],
        )
        self.assertNotEqual(self.company_a.replenishment_safety_days, 10.0)

    def test_bad_settings_write_nothing(self):
        before = self.company_b.replenishment_review_days
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.company_b.write({"replenishment_review_days": 14, "replenishment_smoothing_alpha": 2.0})
        self.assertEqual(self.company_b.replenishment_review_days, before)

    def test_only_settings_admins_change_the_policy(self):
        buyer = new_test_user(self.env, login="repl_buyer", groups="purchase.group_purchase_manager")
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(buyer).create({"replenishment_review_days": 1})
