import math
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare

from .stock_move import MAX_CHAIN_STEPS

OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    distribution_source_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Ship From",
        check_company=True,
        copy=False,
        help="Deliver this line from another warehouse of the company than the order's (set by 'Source').",
    )
    atp_qty = fields.Float(
        string="Available to Promise",
        compute="_compute_atp",
        digits="Product Unit",
        help="What the line's warehouse can promise now, in the line's unit: on hand - reserved - the open "
        "demand of a higher allocation score - what earlier orders are owed before the next receipts refill "
        "the shelf.",
    )
    promise_date = fields.Datetime(
        compute="_compute_atp",
        help="Earliest date the whole quantity can leave the line's warehouse: now from its stock, else the "
        "date of the incoming receipt or transfer that completes it, or the transfer lead time of its resupply "
        "route from a warehouse that has it (the sooner), else the preferred vendor's lead time. Never now for "
        "goods the warehouse does not have.",
    )
    atp_warehouse_id = fields.Many2one(
        "stock.warehouse",
        compute="_compute_atp",
        string="Can Serve Now",
        help="The order's warehouse when it can serve the whole line now, else another warehouse of the "
        "company that can (the one with the most), else empty.",
    )
    atp_source_suggested = fields.Boolean(compute="_compute_atp")
    # The promise of a confirmed line waiting for supply (backorder processing, distribution.promise.replan).
    distribution_replanned_date = fields.Datetime(
        string="Re-planned For",
        copy=False,
        readonly=True,
        help="Confirmed line waiting for supply: when it can now be delivered, re-planned by the system when "
        "a receipt of its product arrives short or late (free stock and open receipts in date order, served "
        "in allocation priority order, plus the line's customer lead time). Empty when nothing waits.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        # Written by the re-plan only (distribution.promise.replan), when a receipt arrives short or late.
        return super()._get_distribution_system_fields() | {"distribution_replanned_date"}

    def _is_waiting_for_replanned_date(self):
        """Re-planned and still something to deliver: the date counts in its order's promise."""
        self.ensure_one()
        return bool(self.distribution_replanned_date) and self.product_uom_id.compare(
            self.qty_delivered, self.product_uom_qty
        ) < 0

    @api.depends("distribution_source_warehouse_id")
    def _compute_warehouse_id(self):
        res = super()._compute_warehouse_id()
        for line in self.filtered("distribution_source_warehouse_id"):
            line.warehouse_id = line.distribution_source_warehouse_id
        return res

    # ------------------------------------------------------------------------------------------------
    # Available to promise
    # ------------------------------------------------------------------------------------------------
    @api.depends("product_id", "product_uom_qty", "product_uom_id", "warehouse_id", "order_id.commitment_date",
                 "order_id.is_rush", "order_id.partner_id", "state")
    def _compute_atp(self):
        lines = self.filtered(
            lambda line: line.product_id.is_storable and not line.display_type and line.state in ("draft", "sent")
            and line.order_id.company_id
        )
        (self - lines).update(
            {"atp_qty": 0.0, "promise_date": False, "atp_warehouse_id": False, "atp_source_suggested": False}
        )
        if not lines:
            return
        for company, company_lines in lines.grouped(lambda line: line.order_id.company_id).items():
            company_lines._compute_atp_for_company(company)

    def _compute_atp_for_company(self, company):
        """Available to promise of these lines of ``company``, over every warehouse of the company, in a
        fixed number of queries whatever the number of lines.

        Time-phased, per product and warehouse: the supply is what is on hand and not reserved now, plus the
        incoming receipts and transfers at their dates; the demand is the open customer demand not reserved
        yet: that of a higher allocation score than the line's is due now (the allocation serves it first,
        whenever the stock is there), the rest at its own date (an earlier promise, not to be taken from),
        and the quotation's earlier lines of the same product and warehouse at their promised dates. What
        can be promised from a date on is the least of supply minus demand from that date to the last event
        (``_atp_timeline``)."""
        now = fields.Datetime.now()
        warehouses = self.env["stock.warehouse"].sudo().search([("company_id", "=", company.id)])
        products = self.product_id
        stock = self._atp_read_stock(products, warehouses)
        demand = self._atp_read_unreserved_demand(products, warehouses)
        incoming = self._atp_read_incoming(products, warehouses, now)
        transfer_days = self._atp_read_transfer_days(warehouses)
        promised = defaultdict(list)  # {(product id, warehouse id): [(date, qty)]} of this batch's earlier lines
        Move = self.env["stock.move"]
        for line in self.sorted(lambda line: (line.order_id.id, line.sequence, line.id)):
            product = line.product_id
            order = line.order_id
            quantity = line.product_uom_id._compute_quantity(line.product_uom_qty, product.uom_id)
            score = Move._allocation_score_for(order, order.commitment_date or now, now, order.carrier_id, now)
            rounding = product.uom_id.rounding

            def timeline(warehouse, product=product, score=score, order=order):
                key = (product.id, warehouse.id)
                on_hand, reserved = stock.get(key, (0.0, 0.0))
                supply = [(now, on_hand - reserved)] + incoming.get(key, [])
                needs = [(now if move_score > score else date, qty) for move_score, qty, date in demand.get(key, [])]
                needs += promised[(order.id, *key)]
                return self._atp_timeline(supply, needs, now)

            home = line.warehouse_id or order.warehouse_id
            timelines = {warehouse: timeline(warehouse) for warehouse in warehouses}
            free_home = timelines[home][0][1] if home else 0.0
            serving = home if home and float_compare(free_home, quantity, precision_rounding=rounding) >= 0 else False
            if not serving:
                others = [(timelines[w][0][1], w) for w in warehouses if w != home]
                others = [
                    (free, w) for free, w in others if float_compare(free, quantity, precision_rounding=rounding) >= 0
                ]
                serving = max(others, key=lambda item: (item[0], -item[1].id))[1] if others else False
            line.atp_qty = product.uom_id._compute_quantity(max(free_home, 0.0), line.product_uom_id)
            line.atp_warehouse_id = serving
            line.atp_source_suggested = bool(serving and home and serving != home)
            # Where the goods come from for this warehouse: its own timeline, or another warehouse's plus the
            # resupply route's lead time; the soonest.
            sources = [(home, 0)] if home else []
            sources += [(w, transfer_days[(w.id, home.id)]) for w in warehouses
                        if home and w != home and (w.id, home.id) in transfer_days]
            best = None
            for warehouse, days in sources:
                covered = self._atp_first_covered(timelines[warehouse], quantity, rounding)
                if covered is not None and (best is None or covered + timedelta(days=days) < best[0]):
                    best = (covered + timedelta(days=days), warehouse, covered)
            if best:
                promised[(order.id, product.id, best[1].id)].append((best[2], quantity))
            line.promise_date = line._atp_promise_date(best[0] if best else None, now)

    @api.model
    def _atp_timeline(self, supply, demand, now):
        """[(date, quantity that can be promised from that date on)] in date order, from ``supply`` and
        ``demand`` [(date, quantity)] (dates before ``now`` count as now): at each date, the least over it
        and every later date of the supply minus the demand due by then."""
        events = defaultdict(float)
        for date, qty in supply:
            events[max(date, now)] += qty
        for date, qty in demand:
            events[max(date, now)] -= qty
        events.setdefault(now, 0.0)
        dates = sorted(events)
        net, running = [], 0.0
        for date in dates:
            running += events[date]
            net.append(running)
        timeline, least = [], math.inf
        for date, value in zip(reversed(dates), reversed(net), strict=True):
            least = min(least, value)
            timeline.append((date, least))
        return timeline[::-1]

    @api.model
    def _atp_first_covered(self, timeline, quantity, rounding):
        """The first date of ``timeline`` from which ``quantity`` stays available, or None."""
        for date, available in timeline:
            if float_compare(available, quantity, precision_rounding=rounding) >= 0:
                return date
        return None

    def _atp_promise_date(self, covered, now):
        """When the line can leave: the date its warehouse has the quantity for good (``covered``: from its
        own supply or another warehouse's over a resupply route) or, when sooner or nothing covers it, the
        preferred vendor's lead time from now (new supply, which takes from no earlier promise); plus the
        product's customer lead time."""
        self.ensure_one()
        product = self.product_id
        lead = timedelta(days=product.sale_delay or 0.0)
        if covered is not None and covered <= now:
            return now + lead
        seller = product._select_seller(quantity=None, date=fields.Date.context_today(self), uom_id=product.uom_id)
        bought = now + timedelta(days=math.ceil(seller.delay)) if seller else None
        dates = [date for date in (covered, bought) if date is not None]
        # Nothing covers it and no vendor: no date can be known; today's, as Odoo's own expected date.
        return (min(dates) if dates else now) + lead

    def _atp_read_transfer_days(self, warehouses):
        """{(supplying warehouse id, supplied warehouse id): days} of the resupply routes between these
        warehouses (Inventory > Warehouses > Resupply From): the sum of their rules' lead times. A fixed number
        of queries."""
        routes = self.env["stock.route"].sudo().search(
            [("supplied_wh_id", "in", warehouses.ids), ("supplier_wh_id", "in", warehouses.ids)]
        )
        days = {}
        for route in routes:
            key = (route.supplier_wh_id.id, route.supplied_wh_id.id)
            route_days = sum(route.rule_ids.mapped("delay"))
            days[key] = min(days.get(key, route_days), route_days)
        return days

    def _atp_read_stock(self, products, warehouses):
        """{(product id, warehouse id): (on hand, reserved)}: one query. Sums of quants without a quantity
        (created in SQL, or by core's tests) count as 0."""
        self.env["stock.quant"].flush_model(["product_id", "location_id", "quantity", "reserved_quantity"])
        self.env.cr.execute(
            """
            SELECT quant.product_id, location.warehouse_id, COALESCE(SUM(quant.quantity), 0),
                   COALESCE(SUM(quant.reserved_quantity), 0)
              FROM stock_quant quant JOIN stock_location location ON location.id = quant.location_id
             WHERE location.usage = 'internal' AND quant.product_id = ANY(%s) AND location.warehouse_id = ANY(%s)
             GROUP BY 1, 2
            """,
            [products.ids, warehouses.ids],
        )
        return {(pid, wid): (on_hand, reserved) for pid, wid, on_hand, reserved in self.env.cr.fetchall()}

    def _atp_read_unreserved_demand(self, products, warehouses):
        """{(product id, warehouse id): [(allocation score, unreserved quantity, date)]} of the open moves that
        will take stock for a customer delivery: what would be served before a line of lower score. Those
        are the moves that reserve from stock (not made to order, not fed by an earlier move) and end at a
        customer: a one-step delivery, the pick of a multi-step one (whose final location is the
        customer's, or whose chain of destination moves leads to one). The later steps (pack, ship) take
        what the pick brought and are not counted again. One query."""
        self.env["stock.move"].flush_model(["product_id", "location_id", "location_dest_id", "location_final_id",
                                            "state", "product_qty", "quantity", "allocation_score",
                                            "procure_method", "move_dest_ids", "move_orig_ids"])
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE chain(first_id, move_id, depth) AS (
                    SELECT rel.move_orig_id, rel.move_dest_id, 1
                      FROM stock_move_move_rel rel
                      JOIN stock_move first ON first.id = rel.move_orig_id
                     WHERE first.state = ANY(%(states)s) AND first.product_id = ANY(%(products)s)
                    UNION ALL
                    SELECT chain.first_id, rel.move_dest_id, chain.depth + 1
                      FROM chain JOIN stock_move_move_rel rel ON rel.move_orig_id = chain.move_id
                     WHERE chain.depth < %(max_steps)s
                )
                SELECT move.product_id, source.warehouse_id, move.allocation_score, move.date,
                       SUM(move.product_qty - LEAST(move.quantity, move.product_qty))
                  FROM stock_move move
                  JOIN stock_location source ON source.id = move.location_id
                  JOIN stock_location dest ON dest.id = move.location_dest_id
                  LEFT JOIN stock_location final ON final.id = move.location_final_id
                 WHERE move.state = ANY(%(states)s) AND move.product_id = ANY(%(products)s)
                   AND source.warehouse_id = ANY(%(warehouses)s)
                   AND move.procure_method != 'make_to_order'
                   AND NOT EXISTS (SELECT 1 FROM stock_move_move_rel orig WHERE orig.move_dest_id = move.id)
                   AND (dest.usage = 'customer' OR final.usage = 'customer' OR EXISTS (
                        SELECT 1 FROM chain
                          JOIN stock_move step ON step.id = chain.move_id AND step.state != 'cancel'
                          JOIN stock_location step_dest ON step_dest.id = step.location_dest_id
                         WHERE chain.first_id = move.id AND step_dest.usage = 'customer'))
                 GROUP BY 1, 2, 3, 4
                """,
                states=list(OPEN_MOVE_STATES), products=products.ids, warehouses=warehouses.ids,
                max_steps=MAX_CHAIN_STEPS,
            )
        )
        demand = defaultdict(list)
        for pid, wid, score, date, quantity in self.env.cr.fetchall():
            if quantity > 0:
                demand[(pid, wid)].append((score or 0.0, quantity, date))
        return demand

    def _atp_read_incoming(self, products, warehouses, now):
        """{(product id, warehouse id): [(date, quantity)] in date order} of open receipts and transfers
        into each warehouse. One query."""
        self.env["stock.move"].flush_model(["product_id", "location_id", "location_dest_id", "state", "date",
                                            "product_qty"])
        self.env.cr.execute(
            """
            SELECT move.product_id, dest.warehouse_id, move.date, SUM(move.product_qty)
              FROM stock_move move
              JOIN stock_location source ON source.id = move.location_id
              JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE move.state = ANY(%s) AND move.product_id = ANY(%s) AND dest.warehouse_id = ANY(%s)
               AND source.warehouse_id IS DISTINCT FROM dest.warehouse_id
             GROUP BY 1, 2, 3 ORDER BY 3
            """,
            [list(OPEN_MOVE_STATES), products.ids, warehouses.ids],
        )
        incoming = defaultdict(list)
        for pid, wid, date, quantity in self.env.cr.fetchall():
            incoming[(pid, wid)].append((date, quantity))
        return incoming

    def action_source_from_atp_warehouse(self):
        """Deliver the line from the warehouse that can serve it now (one click from the quotation)."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Order %(order)s is confirmed: its lines' warehouse cannot change.",
                                       order=self.order_id.name))
        warehouse = self.atp_warehouse_id
        if not warehouse or warehouse == self.warehouse_id:
            raise UserError(
                self.env._("No other warehouse can serve %(qty)s %(product)s now.",
                           qty=self.product_uom_qty, product=self.product_id.display_name)
            )
        self.distribution_source_warehouse_id = warehouse
        self.order_id.message_post(
            body=self.env._("%(product)s will ship from %(warehouse)s.", product=self.product_id.display_name,
                            warehouse=warehouse.name),
            subtype_xmlid="mail.mt_note",
        )
        return True
