from odoo import Command
from odoo.tests import tagged

from .common import ExceptionCase

# The documents that carry exceptions through distribution.exception.mixin, and their link.
ADOPTERS = {
    "sale.order": "sale_order_id",
    "stock.picking": "picking_id",
    "purchase.order": "purchase_order_id",
    "account.move": "move_id",
}


@tagged("post_install", "-at_install")
class TestExceptionMixin(ExceptionCase):
    def _documents(self):
        """Two documents of each adopting model, read as the administrator (who sees every item)."""
        orders = (self._confirmed() | self._confirmed()).with_env(self.env)
        purchases = (self._purchase() | self._purchase()).with_env(self.env)
        bills = self.env["account.move"].create(
            [
                {
                    "move_type": "in_invoice",
                    "partner_id": self.vendor.id,
                    "invoice_date": "2026-01-15",
                    "invoice_line_ids": [Command.create({"name": "Cable", "quantity": 1, "price_unit": 60.0})],
                }
                for _index in range(2)
            ]
        )
        return {
            "sale.order": orders,
            "stock.picking": orders.picking_ids,
            "purchase.order": purchases,
            "account.move": bills,
        }

    def test_documents_adopt_the_mixin(self):
        adopters = self.env.registry["distribution.exception.mixin"]._inherit_children
        for model, link in ADOPTERS.items():
            with self.subTest(model=model):
                self.assertIn(model, adopters)
                self.assertEqual(self.env[model]._get_exception_link_field(), link)
                self.assertEqual(self.env[model]._fields["exception_ids"].comodel_name, "distribution.exception")
                self.assertEqual(self.env[model]._fields["exception_ids"].inverse_name, link)

    def test_count_and_action_of_each_document(self):
        raise_ = self.Exception._raise_exceptions
        for model, documents in self._documents().items():
            with self.subTest(model=model):
                self.assertEqual(len(documents), 2)
                link = ADOPTERS[model]
                first, second = documents[0], documents[1]
                open_items = raise_("claim", [{"record": first, link: first}])
                open_items |= raise_("return", [{"record": first, link: first}])
                closed = raise_("late_delivery", [{"record": first, link: first}])
                self.Exception._resolve_exceptions("late_delivery", first, "Cleared.")
                raise_("claim", [{"record": second, link: second}])
                self.assertEqual(closed.state, "resolved")

                documents.invalidate_recordset(["exception_count", "exception_ids"])
                self.assertEqual(documents.mapped("exception_count"), [2, 1], "open items only")
                self.assertEqual(first.exception_ids, open_items | closed)

                action = first.action_view_exceptions()
                self.assertEqual(action["res_model"], "distribution.exception")
                self.assertEqual(action["domain"], [(link, "in", first.ids)])
                self.assertEqual(action["context"], {"search_default_filter_open": 1})
                self.assertEqual(self.Exception.search(action["domain"]), open_items | closed)

    def test_count_of_many_documents_in_one_query(self):
        orders = (self._confirmed() | self._confirmed() | self._confirmed()).with_env(self.env)
        for order in orders:
            self.Exception._raise_exceptions("claim", [{"record": order, "sale_order_id": order}])
        orders.invalidate_recordset(["exception_count"])
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.assertEqual(orders.mapped("exception_count"), [1, 1, 1])
