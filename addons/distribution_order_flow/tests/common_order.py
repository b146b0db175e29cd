from odoo import Command
from odoo.tests import Form, new_test_user

from .common import DistributionCase


class OrderFlowCase(DistributionCase):
    """A customer with a credit limit and payment terms, stocked and unstocked products with costs,
    and the users of the approval matrix: salesperson, sales manager, credit controller, accountant.

    ``delivery_steps`` (a warehouse's 'ship_only', 'pick_ship' or 'pick_pack_ship'): a subclass setting it
    runs the same tests with the company's warehouse delivering in that many steps."""

    delivery_steps = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.account_use_credit_limit = True
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_a.id)], limit=1)
        if cls.delivery_steps:
            cls.warehouse.delivery_steps = cls.delivery_steps
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.term_immediate = cls.env.ref("account.account_payment_term_immediate")
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Sparks Contracting",
                "is_company": True,
                "property_payment_term_id": cls.term_immediate.id,
                "credit_limit": 10000.0,
            }
        )
        cls.customer_contact = cls.env["res.partner"].create({"name": "Site Buyer", "parent_id": cls.customer.id})
        Product = cls.env["product.product"]
        cls.cable = Product.create(
            {
                "name": "Cable 3G2.5",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 60.0,
                "invoice_policy": "delivery",
            }
        )
        cls.breaker = Product.create(
            {
                "name": "Breaker 16A",
                "is_storable": True,
                "list_price": 50.0,
                "standard_price": 30.0,
                "invoice_policy": "delivery",
            }
        )
        # Priced 1.00 a unit so that a quantity is an amount: tests never lower a price by hand (with
        # Distribution: Pricing installed, that is an override needing a reason and an approval).
        cls.service = Product.create(
            {
                "name": "Site survey hour",
                "type": "service",
                "list_price": 1.0,
                "standard_price": 0.0,
                "invoice_policy": "order",
            }
        )
        cls.sales_manager_2 = new_test_user(
            cls.env,
            login="dist_sales_manager_2",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.accountant = new_test_user(
            cls.env,
            login="dist_accountant",
            groups="account.group_account_manager,sales_team.group_sale_salesman_all_leads",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )

    # --- helpers, as users act -----------------------------------------------------------------------
    def _stock(self, product, qty, location=None):
        self.env["stock.quant"]._update_available_quantity(product, location or self.stock_location, qty)

    def _order(self, lines, user=None, partner=None, **vals):
        """lines: [(product, qty, price_unit or None, discount)]"""
        user = user or self.salesperson
        line_vals = []
        for product, qty, price, discount in lines:
            values = {"product_id": product.id, "product_uom_qty": qty, "discount": discount}
            if price is not None:
                values["price_unit"] = price
            line_vals.append(Command.create(values))
        return (
            self.env["sale.order"]
            .with_user(user)
            .create(
                dict({"partner_id": (partner or self.customer).id, "user_id": user.id, "order_line": line_vals}, **vals)
            )
        )

    def _approve(self, order, user, comment="Approved"):
        """A reviewer clicks Validate and confirms the comment wizard."""
        action = order.with_user(user).validate_tier()
        if action:
            self._comment(action, user, comment)

    def _reject(self, order, user, reason):
        action = order.with_user(user).reject_tier()
        self._comment(action, user, reason)

    def _comment(self, action, user, comment):
        # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
        wizard = Form(self.env[action["res_model"]].with_user(user).with_context(action["context"]))
        wizard.comment = comment
        wizard.save().add_comment()

    def _deliver(self, order, quantities=None, backorder=True):
        """Validate the order's ready delivery as a warehouse user would (web or barcode app):
        set the picked quantities, validate, answer the backorder wizard."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))[:1]
        for move in picking.move_ids:
            qty = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.quantity = qty
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
            wizard = Form(self.env["stock.backorder.confirmation"].with_context(result["context"])).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        return picking

    def _invoice(self, order):
        invoices = order._create_invoices()
        invoices.action_post()
        return invoices

    def _pay(self, invoices):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({})._create_payments()

    def _events(self, order):
        return order.flow_event_ids.sorted(lambda event: (event.date, event.id)).mapped("state_to")
