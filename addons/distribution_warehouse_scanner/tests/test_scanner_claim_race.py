import odoo
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestScannerClaimRace(BaseCase):
    """Two workers open the same task at once, on real separate connections: the first claims it and has
    not committed yet; the second is refused at once (the row is locked, NOWAIT) instead of both getting
    it. Once the first has committed, the second is still refused: the task is claimed. Then the first
    worker's validation, sent twice at once, validates once. Cleans up what it committed."""

    def _dbname(self):
        dbname = odoo.tools.config["db_name"]
        return dbname[0] if isinstance(dbname, list) else dbname

    def _setup(self, setup_cr):
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        group = env.ref("stock.group_stock_user")
        users = env["res.users"].create(
            [
                {"name": f"Race worker {i}", "login": f"scanner_race_worker_{i}", "group_ids": [(6, 0, group.ids)]}
                for i in (1, 2)
            ]
        )
        product = env["product.product"].create({"name": "Race scanner product", "is_storable": True})
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 5)
        picking = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": env.ref("stock.stock_location_customers").id,
                "move_ids": [(0, 0, {
                    "product_id": product.id, "product_uom_qty": 2, "product_uom": product.uom_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": env.ref("stock.stock_location_customers").id,
                })],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        setup_cr.commit()
        return users, product, picking

    def _cleanup(self, setup_cr, users, product, picking):
        setup_cr.rollback()
        env = odoo.api.Environment(setup_cr, odoo.SUPERUSER_ID, {})
        # What the test committed, validated or not: the transfer and its backorders, their moves, the stock.
        pickings = env["stock.picking"].search([("product_id", "=", product.id)])
        setup_cr.execute("DELETE FROM stock_move_line WHERE product_id = %s", [product.id])
        setup_cr.execute("DELETE FROM stock_move WHERE product_id = %s", [product.id])
        setup_cr.execute("DELETE FROM stock_picking WHERE id IN %s", [tuple(pickings.ids or [picking.id])])
        setup_cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product.id])
        env["product.product"].browse(product.id).unlink()
        env["res.users"].browse(users.ids).unlink()
        setup_cr.commit()

    def test_two_workers_open_the_same_task(self):
        setup_cr = db_connect(self._dbname()).cursor()
        users, product, picking = self._setup(setup_cr)
        cr1, cr2 = db_connect(self._dbname()).cursor(), db_connect(self._dbname()).cursor()
        try:
            env1 = odoo.api.Environment(cr1, users[0].id, {})
            env2 = odoo.api.Environment(cr2, users[1].id, {})
            env1["stock.picking"].scanner_open(picking.id)
            env1.flush_all()
            with self.assertRaisesRegex(UserError, "being opened by another worker"):
                env2["stock.picking"].scanner_open(picking.id)
            cr2.rollback()
            cr1.commit()
            env2.invalidate_all()
            with self.assertRaisesRegex(UserError, "is being worked by Race worker 1"):
                env2["stock.picking"].scanner_open(picking.id)
            cr2.rollback()
            setup_cr.execute("SELECT scanner_user_id, user_id FROM stock_picking WHERE id = %s", [picking.id])
            self.assertEqual(setup_cr.fetchone(), (users[0].id, users[0].id))
            # The same worker validating twice at once (a double tap): the second request is refused at once.
            env1.invalidate_all()
            env1["stock.picking"].scanner_set_quantity(env1["stock.picking"].browse(picking.id).move_line_ids.id, 2)
            env1["stock.picking"].scanner_validate(picking.id, True)
            env1.flush_all()
            env3 = odoo.api.Environment(cr2, users[0].id, {})
            with self.assertRaisesRegex(UserError, "is being validated right now"):
                env3["stock.picking"].scanner_validate(picking.id, True)
            cr2.rollback()
            cr1.commit()
            setup_cr.rollback()  # a fresh snapshot
            setup_cr.execute("SELECT state FROM stock_picking WHERE id = %s", [picking.id])
            self.assertEqual(setup_cr.fetchone(), ("done",))
        finally:
            cr1.rollback()
            cr2.rollback()
            cr1.close()
            cr2.close()
            self._cleanup(setup_cr, users, product, picking)
            setup_cr.close()
