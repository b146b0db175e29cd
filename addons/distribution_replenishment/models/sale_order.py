from odoo import api, fields, models


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
            lines = order.sudo().replenishment_run_ids.filtered(lambda run: run.state != "cancel").line_ids
            dates = [line.date_planned for line in lines if line.action != "none" and line.date_planned]
            order.replenishment_date = max(dates) if dates else False

    def _action_confirm(self):
        res = super()._action_confirm()
        self._plan_replenishment_of_shortfall()
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
        """Confirmed orders that could not be reserved plan the replenishment of the shortfall now."""
        for order in self:
            if order.company_id.replenishment_order_trigger == "none":
                continue
            products = order._get_unreserved_products()
            if products:
                run = self.env["distribution.replenishment.run"]._plan_shortfall(order, products)
                if run.line_ids:
                    order.message_post(
                        body=self.env._(
                            "Not all in stock at %(warehouse)s: replenishment %(run)s %(what)s (expected %(date)s).",
                            warehouse=order.warehouse_id.name,
                            run=run.name,
                            what=self.env._("created") if run.state == "done" else self.env._("proposed to the buyers"),
                            date=order.replenishment_date and fields.Datetime.to_string(order.replenishment_date) or "-",
                        ),
                        subtype_xmlid="mail.mt_note",
                    )
