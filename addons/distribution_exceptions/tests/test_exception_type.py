import psycopg2.errors

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

# The codes the suite raises exceptions by (ARCHITECTURE.md): each must ship as editable data.
EXPECTED_CODES = {
    "backorder",
    "short_pick",
    "substitution",
    "return",
    "claim",
    "credit_hold",
    "late_supplier",
    "invoice_mismatch",
    "late_delivery",
    "price_override",
    "customer_review",
    "stock_discrepancy",
    "supplier_quality",
}


@tagged("post_install", "-at_install")
class TestExceptionType(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Type = cls.env["distribution.exception.type"]
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Exceptions Test Company B"})
        cls.exception_user = new_test_user(
            cls.env, login="exc_user", groups="distribution_exceptions.group_exception_user"
        )
        cls.exception_manager = new_test_user(
            cls.env, login="exc_manager", groups="distribution_exceptions.group_exception_manager"
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="exc_manager_b",
            groups="distribution_exceptions.group_exception_manager",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )

    def test_every_code_ships_once_and_shared(self):
        shipped = self.Type.search([("company_id", "=", False)])
        self.assertEqual(set(shipped.mapped("code")), EXPECTED_CODES)
        self.assertEqual(len(shipped), len(EXPECTED_CODES))

    def test_only_credit_hold_blocks_by_default(self):
        blocking = self.Type.search([("blocking", "=", True), ("company_id", "=", False)])
        self.assertEqual(blocking.mapped("code"), ["credit_hold"])
        self.assertEqual(self.Type._get_by_code("credit_hold").severity, "critical")

    def test_get_by_code_prefers_the_company_type(self):
        shared = self.Type._get_by_code("backorder")
        self.assertFalse(shared.company_id)
        own = self.Type.create(
            {"name": "Backorder (B)", "code": "backorder", "company_id": self.company_b.id, "sla_hours": 12}
        )
        self.assertEqual(self.Type._get_by_code("backorder", self.company_b), own)
        self.assertEqual(self.Type._get_by_code("backorder", self.company_a), shared)
        self.assertFalse(self.Type._get_by_code("no_such_code"))

    def test_sla_boundaries(self):
        short_pick = self.Type._get_by_code("short_pick")
        short_pick.sla_hours = 0
        self.assertEqual(short_pick.sla_hours, 0)
        with self.assertRaisesRegex(ValidationError, r"Exception type Short Pick: the SLA cannot be negative"):
            short_pick.sla_hours = -1

    def _assert_code_refused(self, types, vals_list):
        """Creating ``vals_list`` is refused by the unique index as a whole (nothing written), with the
        message a person gets (Odoo shows it for the IntegrityError of an RPC call)."""
        count = self.Type.with_context(active_test=False).search_count([])
        with self.assertRaises(psycopg2.errors.UniqueViolation) as refused, mute_logger("odoo.sql_db"), \
                self.cr.savepoint():
            types.create(vals_list)
            types.env.flush_all()
        self.assertEqual(self.Type.with_context(active_test=False).search_count([]), count, "nothing half-written")
        self.assertIn("already has this code in this company", self.Type._sql_error_to_message(refused.exception))

    def test_duplicate_code_refused_by_the_database(self):
        self._assert_code_refused(self.Type, [{"name": "Claims again", "code": "claim", "company_id": False}])
        archived = self.Type._get_by_code("claim")
        archived.active = False
        self._assert_code_refused(self.Type, [{"name": "Claims again", "code": "claim", "company_id": False}])
        # A company may override a shared type with its own, once; its manager is refused a second one,
        # and the other new type of the same save is not written either.
        types = self.Type.with_user(self.exception_manager)
        own = types.create({"name": "Claims (A)", "code": "claim", "company_id": self.company_a.id})
        self._assert_code_refused(
            types,
            [
                {"name": "Pallet damage", "code": "pallet_damage", "company_id": self.company_a.id},
                {"name": "Claims (A) again", "code": "claim", "company_id": self.company_a.id},
            ],
        )
        self.assertEqual(own.company_id, self.company_a)
        self.assertFalse(self.Type.search([("code", "=", "pallet_damage")]))
        # Another company uses the code freely.
        self.assertTrue(self.Type.with_user(self.manager_b).create({"name": "Claims (B)", "code": "claim"}))

    def test_user_reads_manager_configures(self):
        types_as_user = self.Type.with_user(self.exception_user)
        self.assertEqual(len(types_as_user.search([("company_id", "=", False)])), len(EXPECTED_CODES))
        with self.assertRaises(AccessError):
            types_as_user._get_by_code("claim").write({"sla_hours": 1})
        with self.assertRaises(AccessError):
            types_as_user.create({"name": "Mine", "code": "mine"})
        claim = self.Type.with_user(self.exception_manager)._get_by_code("claim")
        claim.write({"sla_hours": 12, "user_id": self.exception_user.id})
        self.assertEqual(claim.sla_hours, 12)

    def test_manager_implies_user_and_admin_is_manager(self):
        self.assertTrue(self.exception_manager.has_group("distribution_exceptions.group_exception_user"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("distribution_exceptions.group_exception_manager"))

    def test_company_types_are_isolated(self):
        own_b = self.Type.with_user(self.manager_b).create({"name": "Pallet damage", "code": "pallet_damage"})
        self.assertEqual(own_b.company_id, self.company_b, "a manager creates types in their company")
        self.assertNotIn(own_b, self.Type.with_user(self.exception_manager).search([]))
        with self.assertRaises(AccessError):
            own_b.with_user(self.exception_manager).read(["name"])
