import importlib.util
from pathlib import Path

from odoo import Command
from odoo.tests import tagged

from .test_price_agreement import PricingCase

MIGRATION = Path(__file__).parents[1] / "migrations" / "19.0.1.3.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestMigrationPriceRules(PricingCase):
    """Upgrading to 19.0.1.3.0 splits what one flag meant: orders whose lines are below their margin floor leave
    `has_price_override` for `has_margin_floor_breach`, in one statement over every order."""

    def _migrate(self):
        spec = importlib.util.spec_from_file_location("pricing_post_migrate_19_0_1_3_0", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "19.0.1.2.0")

    def test_orders_get_the_flag_of_what_their_lines_break(self):
        self.category.margin_floor = 60.0  # lamp at 10.00 for 5.00: 50%, under the floor
        below_floor = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": self.lamp.id})]}
        )
        cable = self.env["product.product"].create({"name": "Cable (migration test)", "list_price": 10.0,
                                                    "standard_price": 5.0, "taxes_id": False})
        overridden = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [
                Command.create({"product_id": cable.id, "price_unit": 9.0, "price_override_reason": "Bulk"}),
            ]}
        )
        plain = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": cable.id})]}
        )
        empty = self.env["sale.order"].create({"partner_id": self.customer.id})
        self.assertTrue(below_floor.order_line.is_below_margin_floor)
        orders = below_floor | overridden | plain | empty
        self.env.flush_all()
        # As the previous version stored them: one flag for both rules.
        self.env.cr.execute(
            "UPDATE sale_order SET has_price_override = id = ANY(%s), has_margin_floor_breach = NULL "
            "WHERE id = ANY(%s)",
            [(below_floor | overridden).ids, orders.ids],
        )
        self._migrate()
        orders.invalidate_recordset()
        self.assertRecordValues(
            orders,
            [
                {"has_price_override": False, "has_margin_floor_breach": True},
                {"has_price_override": True, "has_margin_floor_breach": False},
                {"has_price_override": False, "has_margin_floor_breach": False},
                {"has_price_override": False, "has_margin_floor_breach": False},
            ],
        )

    def test_installed_database_orders_agree_with_their_lines(self):
        """Installing the module judges the existing lines (Odoo's demo orders here) and its post-init hook
        carries the judgement to their orders: no order disagrees with its lines."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT so.name
              FROM sale_order so
              JOIN sale_order_line line ON line.order_id = so.id
          GROUP BY so.id
            HAVING bool_or(COALESCE(line.is_price_override, false))
                   IS DISTINCT FROM COALESCE(so.has_price_override, false)
                OR bool_or(COALESCE(line.is_below_margin_floor, false))
                   IS DISTINCT FROM COALESCE(so.has_margin_floor_breach, false)
            """
        )
        self.assertFalse(self.env.cr.fetchall())
        self.assertTrue(self.env["sale.order"].search_count([("has_margin_floor_breach", "=", True)]),
                        "the demo has orders below their floor")
