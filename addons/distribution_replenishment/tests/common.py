from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class ReplenishmentCase(TransactionCase):
    """Company A with its main warehouse (WH) and a branch (BR) resupplied from WH, a vendor, and
    products; helpers to put stock, demand and sales history where a test wants them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "replenishment_forecast_method": "moving_average",
                "replenishment_history_days": 28,
                "replenishment_review_days": 7,
                "replenishment_safety_days": 0.0,
                "replenishment_safety_method": "days",
                "replenishment_order_trigger": "propose",
                "replenishment_use_observed_lead_time": False,
            }
        )
        cls.main = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.branch = cls.env["stock.warehouse"].create(
            {"name": "Branch (repl test)", "code": "BRT", "company_id": cls.company.id}
        )
        cls.branch.resupply_wh_ids = [(4, cls.main.id)]
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.vendor = cls.env["res.partner"].create({"name": "Wirecraft Supplies", "is_company": True})
        cls.buyer = new_test_user(
            cls.env, login="repl_buyer", groups="purchase.group_purchase_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.vendor.buyer_id = cls.buyer
        cls.box_10 = cls.env["uom.uom"].create(
            {
                "name": "Box of 10 (repl test)",
                "relative_factor": 10,
                "relative_uom_id": cls.env.ref("uom.product_uom_unit").id,
            }
        )
        cls.categ = cls.env["product.category"].create({"name": "Replenishment test products"})
        cls.cable = cls._product("Cable (repl test)", price=2.0, delay=10, min_qty=0)
        cls.breaker = cls._product("Breaker (repl test)", price=5.0, delay=4, min_qty=0)
        cls.Run = cls.env["distribution.replenishment.run"]

    @classmethod
    def _product(cls, name, price=1.0, delay=5, min_qty=0, vendor=True, uom=None):
        values = {"name": name, "is_storable": True, "standard_price": price, "purchase_ok": True,
                  "categ_id": cls.categ.id,
                  "route_ids": [Command.link(cls.env.ref("purchase_stock.route_warehouse0_buy").id)]}
        if vendor:
            seller = {"partner_id": cls.vendor.id, "price": price, "delay": delay, "min_qty": min_qty}
            if uom:
                seller["product_uom_id"] = uom.id
            values["seller_ids"] = [Command.create(seller)]
        return cls.env["product.product"].create(values)

    # --- helpers ---------------------------------------------------------------------------------------
    def _stock(self, product, warehouse, qty):
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, qty)

    def _customer_move(self, product, warehouse, qty):
        """A confirmed delivery of ``qty`` out of ``warehouse`` to a customer."""
        move = self.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": self.customer_location.id,
                "company_id": self.company.id,
                "warehouse_id": warehouse.id,
            }
        )
        move._action_confirm()
        return move

    def _ship_history(self, product, warehouse, qty, days_ago):
        """A delivery to a customer done ``days_ago`` days ago (sales history), stock netted out."""
        self._stock(product, warehouse, qty)
        move = self._customer_move(product, warehouse, qty)
        move._action_assign()
        move.quantity = qty
        move.picked = True
        move._action_done()
        move.date = fields.Datetime.now() - timedelta(days=days_ago, hours=1)
        return move

    def _demand(self, product, warehouse, qty):
        """An open delivery of ``qty`` (confirmed demand) out of ``warehouse``."""
        return self._customer_move(product, warehouse, qty)

    def _run(self, **vals):
        """A run as the buyer, over the test's products only (the database may hold demo data)."""
        vals.setdefault("categ_ids", [(6, 0, self.categ.ids)])
        run = self.Run.with_user(self.buyer).create(vals)
        run.action_compute()
        return run

    def _lines(self, run, product, warehouse=None):
        return run.line_ids.filtered(
            lambda line: line.product_id == product and (warehouse is None or line.warehouse_id == warehouse)
        )
