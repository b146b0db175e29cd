import psycopg2.errors

from odoo import api, fields, models
from odoo.service.model import retrying


class SaleOrder(models.Model):
    _inherit = "sale.order"

    replenishment_run_ids = fields.One2many(
        "distribution.replenishment.run", "sale_order_id", string="Replenishments", readonly=True
    )
    replenishment_date = fields.Datetime(
        string="Replenishment Expected",
        compute="_compute_replenishment_date",
        help="When the replenishment of what this order could not reserve is expected (latest of its "
        "transfers and purchases).",
    )

    @api.depends("replenishment_run_ids.line_ids.date_planned", "replenishment_run_ids.state")
    def _compute_replenishment_date(self):
        for order in self:
            # As the system: salespeople see when their order's goods are expected, not the buyers' runs.
            lines = order.sudo().replenishment_run_ids.filtered(lambda run: run.state != "cancel").line_ids
            dates = [line.date_planned for line in lines if line.action != "none" and line.date_planned]
            order.replenishment_date = max(dates) if dates else False

    def _action_confirm(self):
        res = super()._action_confirm()
        # Orders of a company that reserves in the background are not reserved yet: their shortfall is
        # planned once the reservation job has run (stock.picking._after_background_reservation).
        self.filtered(
            lambda order: order.company_id.distribution_reservation_mode != "background"
        )._plan_replenishment_of_shortfall()
        return res

    def _get_unreserved_products(self):
        """Storable products of this order's deliveries that its warehouse could not reserve."""
        self.ensure_one()
        moves = self.order_line.move_ids.filtered(
            lambda move: move.state in ("confirmed", "partially_available", "waiting")
            and move.product_id.is_storable
            and move.location_id.warehouse_id == self.warehouse_id
        )
        return moves.product_id

    def _plan_replenishment_of_shortfall(self):
        """Confirmed orders that could not be reserved plan the replenishment of the shortfall now. When
        another planning of the company committed since this transaction started (another rep's short
        order, a buyer's run), planning here would read a stale snapshot and fails to serialize: the
        confirmation goes on, and the shortfall is planned right after it commits, in a transaction of
        its own (retried), instead of failing the salesperson's confirmation."""
        Run = self.env["distribution.replenishment.run"]
        for order in self:
            if order.company_id.replenishment_order_trigger == "none":
                continue
            products = order._get_unreserved_products()
            if not products:
                continue
            try:
                with self.env.cr.savepoint():
                    run = Run._plan_shortfall(order, products)
            except psycopg2.errors.SerializationFailure:
                order._plan_shortfall_after_commit(products)
                continue
            order._note_shortfall_run(run)

    def _note_shortfall_run(self, run):
        self.ensure_one()
        if run.line_ids:
            self.message_post(
                body=self.env._(
                    "Not all in stock at %(warehouse)s: replenishment %(run)s %(what)s (expected %(date)s).",
                    warehouse=self.warehouse_id.name,
                    run=run.name,
                    what=self.env._("created") if run.state == "done" else self.env._("proposed to the buyers"),
                    date=self.replenishment_date and fields.Datetime.to_string(self.replenishment_date) or "-",
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _plan_shortfall_after_commit(self, products):
        self.ensure_one()
        order_id, product_ids, uid, context = self.id, products.ids, self.env.uid, dict(self.env.context)
        registry = self.env.registry

        @self.env.cr.postcommit.add
        def plan_shortfall():
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, context)
                order = env["sale.order"].browse(order_id)

                def plan():
                    run = env["distribution.replenishment.run"]._plan_shortfall(
                        order, env["product.product"].browse(product_ids)
                    )
                    order._note_shortfall_run(run)

                retrying(plan, env)
