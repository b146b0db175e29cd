import odoo
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestSchedulerOrderpoints(BaseCase):
    """The stock scheduler as its cron runs it (``use_new_cursor``), on real connections: it computes the
    orderpoints' quantities in its own transaction, then procures them in batches that commit in
    transactions of their own and update the same rows. Without the suite's commit between the two, the
    scheduler's own commit fails to serialize ("could not serialize access due to concurrent update" on
    stock_warehouse_orderpoint, seen on the demo database within a minute of serving) and its run is lost.
    Cleans up what it committed."""

    def _env(self, cr):
        return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})

    def test_scheduler_commits_after_procuring_orderpoints(self):
        dbname = odoo.tools.config["db_name"]
        dbname = dbname[0] if isinstance(dbname, list) else dbname
        setup_cr = db_connect(dbname).cursor()
        env = self._env(setup_cr)
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        vendor = env["res.partner"].create({"name": "Scheduler test vendor", "is_company": True})
        product = env["product.product"].create({
            "name": "Scheduler test cable", "is_storable": True, "standard_price": 5.0,
            "route_ids": [(6, 0, env.ref("purchase_stock.route_warehouse0_buy").ids)],
            "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 5.0, "delay": 2})],
        })
        orderpoint = env["stock.warehouse.orderpoint"].create({
            "product_id": product.id, "warehouse_id": warehouse.id, "location_id": warehouse.lot_stock_id.id,
            "product_min_qty": 5.0, "product_max_qty": 10.0, "trigger": "auto",
        })
        setup_cr.commit()
        try:
            with db_connect(dbname).cursor() as scheduler_cr:
                scheduler = self._env(scheduler_cr)
                # stock.rule._run_scheduler_tasks' orderpoint step, for this orderpoint only (the whole
                # scheduler would commit work on every record of the shared test database).
                orderpoints = scheduler["stock.warehouse.orderpoint"].browse(orderpoint.id)
                orderpoints._compute_qty_to_order_computed()
                orderpoints._compute_deadline_date()
                orderpoints._procure_orderpoint_confirm(
                    use_new_cursor=True, company_id=warehouse.company_id.id, raise_user_error=False
                )
                scheduler["ir.cron"]._commit_progress(1)  # raised SerializationFailure before the fix
            setup_cr.rollback()
            lines = env["purchase.order.line"].search([("product_id", "=", product.id)])
            self.assertEqual(len(lines), 1, "one RFQ line for the orderpoint")
            self.assertEqual(lines.product_qty, 10.0)
            self.assertEqual(lines.order_id.partner_id, vendor)
        finally:
            setup_cr.rollback()
            orders = env["purchase.order.line"].search([("product_id", "=", product.id)]).order_id
            orders.button_cancel()
            orders.unlink()
            env["stock.warehouse.orderpoint"].browse(orderpoint.id).unlink()
            product.seller_ids.unlink()
            product.unlink()
            vendor.unlink()
            setup_cr.commit()
            setup_cr.close()
