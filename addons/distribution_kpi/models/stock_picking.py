from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, float_compare

PICK_FIELDS = ["pick_validated_by_id", "pick_line_count", "pick_exact_line_count", "pick_demand_qty", "pick_done_qty"]


class StockPicking(models.Model):
    _inherit = "stock.picking"

    pick_validated_by_id = fields.Many2one(
        "res.users", string="Validated By", readonly=True, copy=False, index="btree_not_null",
        help="Who validated the transfer (web client, barcode app or RPC): the pick accuracy KPI is per user.",
    )
    pick_line_count = fields.Integer(
        string="Lines at Validation", readonly=True, copy=False,
        help="Product lines (moves) of the transfer when it was validated.",
    )
    pick_exact_line_count = fields.Integer(
        string="Exact Lines at Validation", readonly=True, copy=False,
        help="Lines whose picked quantity equalled their demand when the transfer was validated.",
    )
    pick_demand_qty = fields.Float(string="Demand at Validation", readonly=True, copy=False, digits="Product Unit")
    pick_done_qty = fields.Float(string="Picked at Validation", readonly=True, copy=False, digits="Product Unit")

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | set(PICK_FIELDS)

    def _action_done(self):
        self._record_pick_accuracy()
        result = super()._action_done()
        self._record_first_deliveries()
        return result

    def _record_pick_accuracy(self):
        """Record, before Odoo splits short lines into a backorder, how each line's picked quantity
        compared with its demand. A line not marked picked counts as nothing picked (Odoo moves it to
        the backorder or cancels it). One query for all the transfers validated together."""
        values = []
        for picking in self.filtered(lambda p: not p.pick_validated_by_id):
            moves = picking.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
            exact, demand, done = 0, 0.0, 0.0
            for move in moves:
                picked = move.quantity if move.picked else 0.0
                rounding = move.product_uom.rounding
                if float_compare(picked, move.product_uom_qty, precision_rounding=rounding) == 0:
                    exact += 1
                demand += move.product_qty
                done += move.product_uom._compute_quantity(picked, move.product_id.uom_id, round=False)
            values.append(SQL("(%s, %s, %s, %s::float8, %s::float8)", picking.id, len(moves), exact, demand, done))
        if not values:
            return
        self.flush_recordset(PICK_FIELDS)
        self.env.cr.execute(SQL(
            """
            UPDATE stock_picking picking
               SET pick_validated_by_id = %s, pick_line_count = v.lines, pick_exact_line_count = v.exact,
                   pick_demand_qty = v.demand, pick_done_qty = v.done
              FROM (VALUES %s) AS v(id, lines, exact, demand, done)
             WHERE picking.id = v.id
            """,
            self.env.uid,
            SQL(", ").join(values),
        ))
        self.invalidate_recordset(PICK_FIELDS, flush=False)

    def _record_first_deliveries(self):
        """For the fill rate: when a transfer to a customer is the first done delivery of an order,
        record on each of the order's goods lines what it carried (0 for a line it did not carry). One
        query for all the orders; later deliveries, backorders included, change nothing."""
        # Read as the system: the validating warehouse user may have no rights on the order lines.
        moves = self.sudo().move_ids.filtered(
            lambda m: m.state == "done" and m.sale_line_id and m.location_dest_id.usage == "customer"
        )
        values = []
        for order in moves.sale_line_id.order_id:
            lines = order.order_line.filtered(lambda line: not line.display_type and line.product_id.type == "consu")
            if not lines or any(lines.mapped("kpi_first_delivery_date")):
                continue
            first = moves.filtered(lambda m, order=order: m.sale_line_id.order_id == order).picking_id.sorted(
                lambda p: (p.date_done, p.id)
            )[:1]
            carried = defaultdict(float)  # {line id: quantity}, the first delivery's moves read once
            for move in first.move_ids:
                if move.state == "done" and move.sale_line_id:
                    carried[move.sale_line_id.id] += move.quantity
            values.extend(
                SQL("(%s, %s::timestamp, %s::float8)", line.id, first.date_done, carried[line.id]) for line in lines
            )
        if not values:
            return
        self.env.cr.execute(SQL(
            """
            UPDATE sale_order_line line
               SET kpi_first_delivery_date = v.date, kpi_first_delivery_qty = v.qty
              FROM (VALUES %s) AS v(id, date, qty)
             WHERE line.id = v.id AND line.kpi_first_delivery_date IS NULL
            """,
            SQL(", ").join(values),
        ))
        moves.sale_line_id.order_id.order_line.invalidate_recordset(
            ["kpi_first_delivery_date", "kpi_first_delivery_qty"], flush=False
        )
