from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTicketOrderLink(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_b = cls.env["res.company"].create({"name": "Helpdesk Test Company B"})
        cls.customer = cls.env["res.partner"].create({"name": "Sparks Contracting", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Site Manager", "parent_id": cls.customer.id})
        cls.other_customer = cls.env["res.partner"].create({"name": "Bright Retail", "is_company": True})
        cls.product = cls.env["product.product"].create({"name": "Cable 3x2.5", "list_price": 10.0})
        cls.salesperson = new_test_user(cls.env, login="hd_salesperson", groups="sales_team.group_sale_salesman")
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.contact.id,
                "user_id": cls.salesperson.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 5})],
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login="hd_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,sales_team.group_sale_salesman_all_leads",
        )

    def _ticket_vals(self, **vals):
        return dict({"name": "Damaged drum", "description": "<p>Drum arrived crushed</p>"}, **vals)

    def test_ticket_on_order_is_counted_and_listed(self):
        ticket = self.env["helpdesk.ticket"].create(
            self._ticket_vals(partner_id=self.customer.id, sale_order_id=self.order.id)
        )
        self.assertEqual(self.order.helpdesk_ticket_count, 1)
        self.assertEqual(self.order.helpdesk_ticket_ids, ticket)
        action = self.order.action_view_helpdesk_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), ticket)
        self.assertEqual(action["context"]["default_sale_order_id"], self.order.id)

    def test_order_of_another_customer_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"belongs to Sparks Contracting, not to the ticket's customer Bright Retail"
        ):
            self.env["helpdesk.ticket"].create(
                self._ticket_vals(partner_id=self.other_customer.id, sale_order_id=self.order.id)
            )

    def test_order_of_another_company_is_refused(self):
        with self.assertRaisesRegex(ValidationError, r"belongs to Helpdesk Test Company B but order S\d+ to"):
            self.env["helpdesk.ticket"].create(
                self._ticket_vals(
                    partner_id=self.customer.id, sale_order_id=self.order.id, company_id=self.company_b.id
                )
            )

    def test_onchange_fills_the_customer_from_the_order(self):
        ticket = self.env["helpdesk.ticket"].new(self._ticket_vals(sale_order_id=self.order.id))
        ticket._onchange_sale_order_id()
        self.assertEqual(ticket.partner_id, self.contact)

    def test_agent_links_a_ticket_and_salesperson_does_not_see_tickets(self):
        ticket = self.env["helpdesk.ticket"].with_user(self.agent).create(
            self._ticket_vals(partner_id=self.customer.id, user_id=self.agent.id)
        )
        ticket.sale_order_id = self.order
        self.assertEqual(self.order.with_user(self.agent).helpdesk_ticket_count, 1)
        # A salesperson without helpdesk rights reads the order, not its tickets.
        order_as_rep = self.order.with_user(self.salesperson)
        self.assertEqual(order_as_rep.read(["name"])[0]["name"], self.order.name)
        with self.assertRaises(AccessError):
            order_as_rep.read(["helpdesk_ticket_count"])
