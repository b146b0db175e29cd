from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.queue_job.job import Job


@tagged("post_install", "-at_install")
class TestInvoiceOnDeliveryTour(HttpCase):
    def test_warehouse_validates_accountant_sees_invoice(self):
        picker = new_test_user(self.env, login="dist_tour_picker", groups="stock.group_stock_user")
        new_test_user(self.env, login="dist_tour_accountant", groups="account.group_account_invoice")
        contractors = self.env["distribution.customer.class"].create(
            {"name": "Tour contractors", "code": "TOURC", "invoice_on_delivery": True}
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Contractor", "is_company": True, "distribution_class_id": contractors.id}
        )
        product = self.env["product.product"].create(
            {
                "name": "Tour Breaker",
                "is_storable": True,
                "list_price": 40.0,
                "standard_price": 20.0,
                "invoice_policy": "delivery",
            }
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.picked = True
        self.start_tour(f"/odoo/stock.picking/{picking.id}", "distribution_delivery_validate", login="dist_tour_picker")
        self.assertFalse(order.invoice_ids, "the warehouse's request only queues the invoicing")
        # The job runner's part: the job the validation queued, in the picker's name.
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_job_invoice_delivery"), ("func_string", "like", f"sale.order({order.id},)")]
        )
        self.assertRecordValues(jobs, [{"state": "pending", "user_id": picker.id}])
        Job.load(self.env, jobs.uuid).perform()
        invoice = order.invoice_ids
        self.assertRecordValues(
            invoice, [{"state": "posted", "distribution_auto_invoiced": True, "partner_id": customer.id}]
        )
        self.start_tour(
            "/odoo/action-account.action_move_out_invoice_type?view_type=list",
            "distribution_invoice_seen_by_accountant",
            login="dist_tour_accountant",
        )
