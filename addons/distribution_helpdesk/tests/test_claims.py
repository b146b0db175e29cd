from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.distribution_exceptions.tests.common import ExceptionCase


@tagged("post_install", "-at_install")
class TestClaims(ExceptionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            login="hd_claim_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.claims = cls.env["helpdesk.ticket.category"].create({"name": "Claims (test)", "distribution_claim": True})
        cls.questions = cls.env["helpdesk.ticket.category"].create({"name": "Questions (test)"})
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def setUp(self):
        super().setUp()
        self._stock(self.cable, 100)
        self._stock(self.breaker, 100)
        self.order = self._confirmed()
        self.delivery = self._validate(self.order.picking_ids)

    def _ticket(self, category, **vals):
        return self.Ticket.with_user(self.agent).create(
            dict(
                {
                    "name": "Crushed drum",
                    "description": "<p>The cable drum arrived crushed.</p>",
                    "partner_id": self.customer.id,
                    "sale_order_id": self.order.id,
                    "picking_id": self.delivery.id,
                    "category_id": category.id,
                },
                **vals,
            )
        )

    def test_claim_ticket_raises_one_claim_exception(self):
        ticket = self._ticket(self.claims)
        self.assertTrue(ticket.distribution_claim)
        claim = self._open("claim", ticket)
        self.assertEqual(len(claim), 1)
        self.assertRecordValues(
            claim,
            [{"ticket_id": ticket.id, "sale_order_id": self.order.id, "picking_id": self.delivery.id,
              "partner_id": self.customer.id, "audience": "sales"}],
        )
        ticket.with_user(self.agent).write({"name": "Crushed drum (2 drums)"})
        self.assertEqual(len(self._all("claim", ticket)), 1, "editing the ticket raises nothing twice")
        self.assertEqual(ticket.claim_exception_id, claim)
        self.assertIn(claim, ticket.distribution_exception_ids)
        self.assertEqual(ticket.sale_flow_state, "shipped")
        self.assertEqual(ticket.sale_picking_ids, self.order.picking_ids)

    def test_question_ticket_raises_nothing(self):
        ticket = self._ticket(self.questions)
        self.assertFalse(self._all("claim", ticket))

    def test_closing_the_ticket_resolves_the_claim(self):
        ticket = self._ticket(self.claims)
        claim = self._open("claim", ticket)
        ticket.with_user(self.agent).stage_id = self.done
        self.assertRecordValues(claim, [{"state": "resolved", "auto_resolved": True}])
        self.assertIn("closed in stage Done", claim.resolution)
        self.assertGreaterEqual(ticket.claim_resolution_hours, 0.0)

    def test_resolving_the_claim_closes_the_ticket(self):
        ticket = self._ticket(self.claims)
        claim = self._open("claim", ticket).with_user(self.agent)
        claim.resolution = "<p>Replacement drum shipped.</p>"
        claim.action_resolve()
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.stage_id, self.done)
        self.assertIn(claim.name, ticket.message_ids[0].body)

    def test_return_follows_the_claim_ticket(self):
        ticket = self._ticket(self.claims)
        return_picking = self._return(self.delivery, {self.cable: 2})
        returned = self._open("return", return_picking)
        self.assertEqual(returned.ticket_id, ticket)
        self.assertIn(returned, ticket.distribution_exception_ids)

    def test_ticket_from_an_exception(self):
        backorder_order = self._confirmed()
        picking = self._validate(backorder_order.picking_ids, {self.cable: 4})
        backorder = self._open("backorder", picking.backorder_ids).with_user(self.exception_manager)
        self.exception_manager.group_ids = [
            (4, self.env.ref("helpdesk_mgmt.group_helpdesk_user").id),
            (4, self.env.ref("sales_team.group_sale_salesman_all_leads").id),
        ]
        action = backorder.action_create_ticket()
        ticket = self.Ticket.browse(action["res_id"])
        self.assertRecordValues(
            ticket, [{"sale_order_id": backorder_order.id, "partner_id": self.customer.id, "distribution_claim": False}]
        )
        self.assertEqual(backorder.ticket_id, ticket)
        self.assertEqual(backorder.action_create_ticket()["res_id"], ticket.id, "one ticket per exception")

    def test_documents_must_belong_to_the_order_and_customer(self):
        other = self._confirmed()
        with self.assertRaisesRegex(ValidationError, r"is not a delivery of order"):
            self._ticket(self.questions, picking_id=other.picking_ids.id)
        stranger = self.env["res.partner"].create({"name": "Stranger Ltd", "is_company": True})
        invoice = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": stranger.id,
             "invoice_line_ids": [(0, 0, {"name": "x", "quantity": 1, "price_unit": 10})]}
        )
        with self.assertRaisesRegex(ValidationError, r"belongs to Stranger Ltd, not to Sparks Contracting"):
            self._ticket(self.questions, invoice_id=invoice.id)

    def test_agents_see_the_items_of_the_tickets_they_see(self):
        own_agent = new_test_user(self.env, login="hd_own_agent", groups="helpdesk_mgmt.group_helpdesk_user_own",
                                  company_id=self.company_a.id, company_ids=[self.company_a.id])
        other_agent = new_test_user(self.env, login="hd_other_agent", groups="helpdesk_mgmt.group_helpdesk_user_own",
                                    company_id=self.company_a.id, company_ids=[self.company_a.id])
        mine = self._ticket(self.claims, user_id=own_agent.id)
        theirs = self._ticket(self.claims, name="Wrong colour", user_id=other_agent.id)
        my_claim, their_claim = self._open("claim", mine), self._open("claim", theirs)
        late = self.Exception._raise_exceptions("late_delivery", [{"record": self.order, "sale_order_id": self.order}])
        Exception_ = self.env["distribution.exception"].with_user(own_agent)
        visible = Exception_.search([("id", "in", (my_claim | their_claim | late).ids)])
        self.assertEqual(visible, my_claim, "another agent's ticket and other sales items stay out")
        with self.assertRaises(AccessError):
            their_claim.with_user(own_agent).write({"resolution": "<p>closed by someone else</p>"})
        # Agents of all tickets see every ticket's items, not the rest of the queue.
        visible = self.env["distribution.exception"].with_user(self.agent).search(
            [("id", "in", (my_claim | their_claim | late).ids)]
        )
        self.assertEqual(visible, my_claim | their_claim)
