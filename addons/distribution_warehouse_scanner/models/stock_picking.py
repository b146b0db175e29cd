from datetime import timedelta

from psycopg2.errors import LockNotAvailable

from odoo import api, fields, models
from odoo.exceptions import UserError

# Open transfers the scanner lists: ready (reserved) first, then those waiting for stock.
SCANNER_OPEN_STATES = ("assigned", "confirmed", "waiting")
# A delivery whose carrier leaves within this margin is shown at risk.
AT_RISK_MARGIN = timedelta(hours=2)


def format_qty(quantity):
    """A quantity as a worker reads it: 2, 2.5, never 2.000."""
    return (f"{quantity:.3f}").rstrip("0").rstrip(".")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    scanner_user_id = fields.Many2one(
        "res.users",
        string="Claimed By",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The warehouse worker working this transfer in the scanner app: nobody else can open it there "
        "until it is done or released.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        # Who claimed a task is the scanner's record: taken and released through its methods only.
        return super()._get_distribution_system_fields() | {"scanner_user_id"}

    # ------------------------------------------------------------------------------------------------
    # Task list
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _scanner_task_order(self):
        """The order warehouse work is done in, as the suite allocates it: the carrier leaving first, then
        the highest allocation score, then the earliest promise (deadline), then the schedule."""
        return (
            "distribution_carrier_departure asc nulls last, allocation_score desc, "
            "date_deadline asc nulls last, scheduled_date asc, id asc"
        )

    @api.model
    def _scanner_task_domain(self, picking_type_id):
        return [("picking_type_id", "=", picking_type_id), ("state", "in", SCANNER_OPEN_STATES)]

    def _scanner_is_at_risk(self, now):
        """Late or about to be: scheduled in the past, its carrier leaving within two hours (or gone), its
        promised deadline passed, or its order flagged at risk (when the KPI module computes it)."""
        self.ensure_one()
        if self.scheduled_date and self.scheduled_date < now:
            return True
        if self.distribution_carrier_departure and self.distribution_carrier_departure < now + AT_RISK_MARGIN:
            return True
        if self.date_deadline and self.date_deadline < now:
            return True
        # The order's risk flag is the KPI module's (optional); a warehouse user may not read orders.
        order = self.sudo().sale_id
        return bool(order and "at_risk" in order._fields and order.at_risk)

    def _scanner_task_vals(self, now):
        self.ensure_one()
        if self.state == "assigned":
            status = "ready"
        else:
            status = "waiting"
        return {
            "id": self.id,
            "name": self.name,
            "partner": self.partner_id.display_name or "",
            "origin": self.origin or "",
            "status": status,
            "at_risk": self._scanner_is_at_risk(now),
            "carrier_departure": fields.Datetime.to_string(self.distribution_carrier_departure)
            if self.distribution_carrier_departure
            else False,
            "scheduled_date": fields.Datetime.to_string(self.scheduled_date),
            "allocation_score": self.allocation_score,
            "claimed_by": self.scanner_user_id.name if self.scanner_user_id else False,
            "claimed_by_me": self.scanner_user_id == self.env.user,
            "line_count": len(self.move_ids),
        }

    @api.model
    def scanner_task_list(self, picking_type_id, limit=80):
        """The transfers to do of an operation type, in working order, as the scanner's task list shows
        them (status ready/waiting, at risk, who claimed it). Only the user's companies' transfers."""
        pickings = self.search(
            self._scanner_task_domain(picking_type_id), order=self._scanner_task_order(), limit=limit
        )
        now = fields.Datetime.now()
        return [picking._scanner_task_vals(now) for picking in pickings]

    @api.model
    def scanner_next_task(self, picking_type_id):
        """Claim and open the first task of the list nobody else has claimed (ready ones before waiting
        ones); False when there is none."""
        base = self._scanner_task_domain(picking_type_id) + [
            "|", ("scanner_user_id", "=", False), ("scanner_user_id", "=", self.env.uid),
        ]
        for states in (("assigned",), ("confirmed", "waiting")):
            candidates = self.search(
                base + [("state", "in", states)], order=self._scanner_task_order(), limit=5
            )
            for picking in candidates:
                if picking._scanner_try_lock():
                    return self.scanner_open(picking.id)
        return False

    # ------------------------------------------------------------------------------------------------
    # Claiming
    # ------------------------------------------------------------------------------------------------
    def _scanner_try_lock(self):
        """Lock this transfer's row for the rest of the transaction, without waiting: False when another
        worker's transaction holds it (they are claiming or scanning it right now)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("SELECT id FROM stock_picking WHERE id = %s FOR UPDATE NOWAIT", [self.id])
        except LockNotAvailable:
            return False
        return True

    def _scanner_lock_for_validation(self):
        """Validating (or packing) holds the transfer's row: a second request for it at the same time (a
        double tap, a second device) is refused at once instead of validating twice."""
        if not self._scanner_try_lock():
            raise UserError(
                self.env._("%(picking)s is being validated right now: wait for the answer.", picking=self.name)
            )

    def _scanner_check_claim(self):
        """Only the worker who claimed the transfer works it in the scanner."""
        self.ensure_one()
        if self.scanner_user_id and self.scanner_user_id != self.env.user:
            raise UserError(
                self.env._(
                    "%(picking)s is being worked by %(user)s: take another task, or ask them (or an inventory "
                    "manager) to release it.",
                    picking=self.name,
                    user=self.scanner_user_id.name,
                )
            )
        if self.state in ("done", "cancel", "draft"):
            raise UserError(
                self.env._(
                    "%(picking)s is %(state)s: there is nothing to scan on it.",
                    picking=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )

    def _scanner_get(self, picking_id):
        picking = self.browse(picking_id).exists()
        if not picking:
            raise UserError(self.env._("This transfer no longer exists (or is not one of your companies')."))
        picking.check_access("write")
        return picking

    @api.model
    def scanner_open(self, picking_id):
        """Claim the transfer for the current user (its Responsible becomes them) and return its screen. A
        transfer claimed by another worker, or being claimed right now, is refused."""
        picking = self._scanner_get(picking_id)
        if not picking._scanner_try_lock():
            raise UserError(
                self.env._(
                    "%(picking)s is being opened by another worker right now: take another task.",
                    picking=picking.name,
                )
            )
        picking.invalidate_recordset(["scanner_user_id", "state"])
        picking._scanner_check_claim()
        if picking.user_id != self.env.user:
            picking.user_id = self.env.user
        if picking.scanner_user_id != self.env.user:
            picking.sudo().scanner_user_id = self.env.user
        return picking._scanner_screen()

    @api.model
    def scanner_release(self, picking_id):
        """Give the task back to the list: its claimer, or an inventory manager, may."""
        picking = self._scanner_get(picking_id)
        if picking.scanner_user_id and picking.scanner_user_id != self.env.user and not self.env.user.has_group(
            "stock.group_stock_manager"
        ):
            raise UserError(
                self.env._(
                    "%(picking)s was claimed by %(user)s: only they or an inventory manager can release it.",
                    picking=picking.name,
                    user=picking.scanner_user_id.name,
                )
            )
        picking.sudo().scanner_user_id = False
        return True

    def action_scanner_release(self):
        """The form's button: an inventory manager gives tasks a worker left claimed back to the list."""
        for picking in self:
            self.scanner_release(picking.id)
        return True

    # ------------------------------------------------------------------------------------------------
    # The picking screen
    # ------------------------------------------------------------------------------------------------
    def _scanner_flow(self):
        """Which locations the worker scans: 'pick' (source, then products), 'receive' (products, then
        the destination), 'transfer' (source, products, destination)."""
        self.ensure_one()
        return {"incoming": "receive", "internal": "transfer"}.get(self.picking_type_code, "pick")

    def _scanner_line_vals(self, line):
        move = line.move_id
        return {
            "id": line.id,
            "move_id": move.id,
            "product_id": line.product_id.id,
            "product": line.product_id.display_name,
            "barcode": line.product_id.barcode or "",
            "tracking": line.product_id.tracking,
            "lot": line.lot_id.name or line.lot_name or "",
            "location_id": line.location_id.id,
            "location": line.location_id.display_name,
            "location_barcode": line.location_id.barcode or "",
            "location_dest_id": line.location_dest_id.id,
            "location_dest": line.location_dest_id.display_name,
            "package": line.result_package_id.name or "",
            "quantity": line.quantity,
            "done": line.scanner_qty,
            "uom": line.product_uom_id.name,
            "short_reason": move.scanner_short_reason or "",
            "complete": line.product_uom_id.compare(line.scanner_qty, line.quantity) >= 0,
        }

    def _scanner_screen(self):
        """The transfer as the scanner shows it: its lines in walking order (source location, then product)
        and the move demands."""
        self.ensure_one()
        lines = self.move_line_ids.sorted(lambda ml: (ml.location_id.complete_name or "", ml.product_id.id, ml.id))
        moves = self.move_ids.filtered(lambda m: m.state != "cancel")
        return {
            "id": self.id,
            "name": self.name,
            "partner": self.partner_id.display_name or "",
            "flow": self._scanner_flow(),
            "state": self.state,
            "location": self.location_id.display_name,
            "location_dest": self.location_dest_id.display_name,
            "lines": [self._scanner_line_vals(line) for line in lines],
            "moves": [
                {
                    "id": move.id,
                    "product": move.product_id.display_name,
                    "demand": move.product_uom_qty,
                    "reserved": move.quantity,
                    "uom": move.product_uom.name,
                    "short_reason": move.scanner_short_reason or "",
                }
                for move in moves
            ],
        }

    @api.model
    def scanner_screen(self, picking_id):
        picking = self._scanner_get(picking_id)
        return picking._scanner_screen()

    # ------------------------------------------------------------------------------------------------
    # Scanning
    # ------------------------------------------------------------------------------------------------
    def _scanner_parse(self, barcode):
        """What the company's barcode nomenclature reads in a barcode: the code to look up (a GS1 label's
        product or location), a quantity (weighted products, GS1 quantity), a GS1 label's lot and package."""
        self.ensure_one()
        result = {"code": barcode, "quantity": 0.0, "lot": False, "package": False}
        nomenclature = self.company_id.nomenclature_id
        if not nomenclature:
            return result
        parsed = nomenclature.parse_barcode(barcode)
        if isinstance(parsed, list):
            # GS1-128: application identifiers, each a rule type.
            for item in parsed:
                kind, value = item["type"], item.get("value")
                if kind == "product":
                    result["code"] = str(value)
                elif kind == "quantity":
                    result["quantity"] = float(value)
                elif kind == "lot":
                    result["lot"] = str(value)
                elif kind in ("location", "location_dest"):
                    result["code"] = str(value)
                elif kind == "package":
                    result["package"] = str(value)
            return result
        if isinstance(parsed, dict) and parsed.get("type") == "weight":
            result["code"] = parsed["base_code"]
            result["quantity"] = float(parsed["value"])
        return result

    def _scanner_resolve(self, barcode):
        """The record a barcode names, looked up by kind (location, product, packaging, lot of one of the
        transfer's products, package): one query per kind tried, whatever the size of the transfer."""
        self.ensure_one()
        parsed = self._scanner_parse(barcode)
        code = parsed["code"]
        companies = [self.company_id.id, False]
        if parsed["package"] and not parsed["lot"] and code == barcode:
            package = self.env["stock.package"].search([("name", "=", parsed["package"])], limit=1)
            if package:
                return {"kind": "package", "package": package}
        location = self.env["stock.location"].search(
            [("barcode", "=", code), ("company_id", "in", companies)], limit=1
        )
        if location:
            return {"kind": "location", "location": location}
        codes = [code]
        if len(code) == 14 and code.startswith("0"):
            codes.append(code[1:])  # a GTIN-14 read from GS1 for an EAN-13 product barcode
        product = self.env["product.product"].search([("barcode", "in", codes)], limit=1)
        if product:
            return {"kind": "product", "product": product, "quantity": parsed["quantity"] or 1.0,
                    "lot": parsed["lot"]}
        packaging = self.env["product.uom"].search([("barcode", "in", codes)], limit=1)
        if packaging:
            product = packaging.product_id
            return {"kind": "product", "product": product, "packaging": packaging,
                    "quantity": packaging.uom_id._compute_quantity(1.0, product.uom_id) * (parsed["quantity"] or 1.0),
                    "lot": parsed["lot"]}
        lot = self.env["stock.lot"].search(
            [("name", "=", code), ("product_id", "in", self.move_ids.product_id.ids)], limit=1
        )
        if lot:
            return {"kind": "product", "product": lot.product_id, "quantity": parsed["quantity"] or 1.0,
                    "lot": lot.name}
        package = self.env["stock.package"].search([("name", "=", code)], limit=1)
        if package:
            return {"kind": "package", "package": package}
        return {"kind": "unknown", "code": code}

    def _scanner_error(self, message):
        """A refused scan: the transaction rolls back, nothing is written; the app shows it with a sound."""
        raise UserError(message)

    def _scanner_is_under(self, location, parent):
        return bool(location.parent_path and parent.parent_path and location.parent_path.startswith(parent.parent_path))

    @api.model
    def scanner_scan(self, picking_id, barcode, state=None):
        """Apply one scan to the transfer. ``state`` is what the worker scanned before (``location_id``,
        ``product_id``, ``line_id``, ``awaiting_lot``). Returns the new state, the line that changed and a
        message; a wrong product, wrong location, over-pick or missing lot is refused with a UserError."""
        picking = self._scanner_get(picking_id)
        picking._scanner_check_claim()
        state = dict(state or {})
        barcode = (barcode or "").strip()
        if not barcode:
            picking._scanner_error(self.env._("Empty scan on %(picking)s: scan again.", picking=picking.name))
        if state.get("awaiting_lot") and state.get("product_id"):
            found = picking._scanner_resolve(barcode)
            if found["kind"] != "location":
                product = self.env["product.product"].browse(state["product_id"])
                if found["kind"] != "product":
                    lot_name = barcode
                elif found["product"] == product and found.get("lot"):
                    lot_name = found["lot"]  # a known lot of the product, or a GS1 label carrying one
                else:
                    lot_name = False
                if not lot_name:
                    picking._scanner_error(
                        self.env._(
                            "%(product)s is tracked: scan its lot or serial number, not another product.",
                            product=product.display_name,
                        )
                    )
                return picking._scanner_count_product(product, state.get("pending_qty") or 1.0, lot_name, state)
        else:
            found = picking._scanner_resolve(barcode)
        if found["kind"] == "location":
            return picking._scanner_on_location(found["location"], state)
        if found["kind"] == "product":
            return picking._scanner_count_product(found["product"], found["quantity"], found.get("lot"), state)
        if found["kind"] == "package":
            return picking._scanner_on_package(found["package"], state)
        return picking._scanner_error(
            self.env._("Unknown barcode %(barcode)s: no location, product, packaging or package has it.",
                       barcode=barcode)
        )

    def _scanner_result(self, state, message, line=None):
        return {
            "state": state,
            "message": message,
            "line": self._scanner_line_vals(line) if line else False,
        }

    def _scanner_on_location(self, location, state):
        self.ensure_one()
        flow = self._scanner_flow()
        line = self.env["stock.move.line"].browse(state.get("line_id") or [])
        is_destination = flow == "receive" or (flow == "transfer" and line)
        if not is_destination:
            if not self._scanner_is_under(location, self.location_id):
                self._scanner_error(
                    self.env._(
                        "Wrong location: %(location)s is not a source of %(picking)s (it picks from %(parent)s).",
                        location=location.display_name,
                        picking=self.name,
                        parent=self.location_id.display_name,
                    )
                )
            if not self.env["stock.move.line"].search_count(
                [("picking_id", "=", self.id), ("location_id", "=", location.id)], limit=1
            ):
                self._scanner_error(
                    self.env._(
                        "Wrong location: %(picking)s has nothing to pick in %(location)s.",
                        picking=self.name,
                        location=location.display_name,
                    )
                )
            new_state = {"location_id": location.id, "location": location.display_name}
            return self._scanner_result(
                new_state, self.env._("%(location)s: scan a product.", location=location.display_name)
            )
        if not line or line.picking_id != self:
            self._scanner_error(
                self.env._("Scan a product first, then the location where you put it (%(picking)s).",
                           picking=self.name)
            )
        if location.usage not in ("internal", "transit") or not self._scanner_is_under(location, self.location_dest_id):
            self._scanner_error(
                self.env._(
                    "Wrong location: %(product)s cannot go to %(location)s; put it in %(proposed)s or another "
                    "location of %(destination)s.",
                    product=line.product_id.display_name,
                    location=location.display_name,
                    proposed=line.location_dest_id.display_name,
                    destination=self.location_dest_id.display_name,
                )
            )
        proposed = line.location_dest_id
        if location != proposed:
            line.location_dest_id = location
        new_state = {k: v for k, v in state.items() if k in ("location_id", "location")}
        if flow == "receive":
            new_state = {}
        if location == proposed:
            message = self.env._("%(product)s put in %(location)s.", product=line.product_id.display_name,
                                 location=location.display_name)
        else:
            message = self.env._(
                "%(product)s put in %(location)s instead of the proposed %(proposed)s.",
                product=line.product_id.display_name,
                location=location.display_name,
                proposed=proposed.display_name,
            )
        return self._scanner_result(new_state, message, line)

    def _scanner_count_product(self, product, quantity, lot_name, state):
        """Count ``quantity`` of ``product`` (lot ``lot_name``) on the transfer's line it belongs to."""
        self.ensure_one()
        flow = self._scanner_flow()
        MoveLine = self.env["stock.move.line"]
        lines = MoveLine.search([("picking_id", "=", self.id), ("product_id", "=", product.id)], order="id")
        if not lines:
            if self.env["stock.move"].search_count(
                [("picking_id", "=", self.id), ("product_id", "=", product.id), ("state", "!=", "cancel")], limit=1
            ):
                self._scanner_error(
                    self.env._("%(product)s is not reserved on %(picking)s yet: it waits for stock.",
                               product=product.display_name, picking=self.name)
                )
            self._scanner_error(
                self.env._("Wrong product: %(product)s is not in %(picking)s.",
                           product=product.display_name, picking=self.name)
            )
        if flow in ("pick", "transfer"):
            location_id = state.get("location_id")
            if not location_id:
                self._scanner_error(
                    self.env._("Scan the location you take %(product)s from first.", product=product.display_name)
                )
            here = lines.filtered(lambda ml: ml.location_id.id == location_id)
            if not here:
                self._scanner_error(
                    self.env._(
                        "Wrong location: %(product)s is not picked from here; take it from %(locations)s.",
                        product=product.display_name,
                        locations=", ".join(lines.location_id.mapped("display_name")),
                    )
                )
            lines = here
        if product.tracking != "none" and not lot_name:
            new_state = dict(state, product_id=product.id, product=product.display_name, awaiting_lot=True,
                             pending_qty=quantity, line_id=False)
            return self._scanner_result(
                new_state, self.env._("%(product)s: scan its lot or serial number.", product=product.display_name)
            )
        if product.tracking == "serial" and product.uom_id.compare(quantity, 1.0) != 0:
            self._scanner_error(
                self.env._("%(product)s is tracked by serial number: one unit per scan.", product=product.display_name)
            )
        if lot_name:
            lines = self._scanner_lines_for_lot(lines, product, lot_name, flow)
        line = next(
            (ml for ml in lines if ml.product_uom_id.compare(ml.scanner_qty + quantity, ml.quantity) <= 0), None
        )
        if line is None:
            remaining = sum(lines.mapped("quantity")) - sum(lines.mapped("scanner_qty"))
            self._scanner_error(
                self.env._(
                    "Over-pick: %(qty)s more %(product)s is more than %(picking)s asks for here (%(remaining)s left).",
                    qty=format_qty(quantity),
                    product=product.display_name,
                    picking=self.name,
                    remaining=format_qty(max(remaining, 0.0)),
                )
            )
        line.scanner_qty += quantity
        new_state = {k: v for k, v in state.items() if k in ("location_id", "location")}
        new_state.update(product_id=product.id, product=product.display_name, line_id=line.id)
        message = self.env._(
            "%(product)s: %(done)s of %(total)s %(uom)s.",
            product=product.display_name,
            done=format_qty(line.scanner_qty),
            total=format_qty(line.quantity),
            uom=line.product_uom_id.name,
        )
        if flow == "receive":
            message = self.env._(
                "%(message)s Put it in %(location)s (or scan another location).",
                message=message,
                location=line.location_dest_id.display_name,
            )
        return self._scanner_result(new_state, message, line)

    def _scanner_lines_for_lot(self, lines, product, lot_name, flow):
        """The lines that can take a scan of lot ``lot_name``: on a pick, those reserving that lot; on a
        receipt, the line already carrying it, else a line without a lot (split off one unit for a serial
        number)."""
        same = lines.filtered(lambda ml: (ml.lot_id.name or ml.lot_name) == lot_name)
        if flow != "receive":
            if not same:
                reserved = lines.mapped(lambda ml: ml.lot_id.name or ml.lot_name or "")
                self._scanner_error(
                    self.env._(
                        "Wrong lot: %(lot)s of %(product)s is not reserved here; pick %(lots)s.",
                        lot=lot_name,
                        product=product.display_name,
                        lots=", ".join(filter(None, reserved)) or "-",
                    )
                )
            return same
        if product.tracking == "serial" and same.filtered("scanner_qty"):
            self._scanner_error(
                self.env._("Serial number %(lot)s of %(product)s is already scanned.", lot=lot_name,
                           product=product.display_name)
            )
        if same:
            return same
        free = lines.filtered(lambda ml: not ml.lot_id and not ml.lot_name and ml.quantity > ml.scanner_qty)
        if not free:
            return free
        line = free[0]
        if product.tracking == "serial" and line.product_uom_id.compare(line.quantity, 1.0) > 0:
            line.quantity -= 1.0
            return line.copy({"quantity": 1.0, "lot_name": lot_name, "scanner_qty": 0.0, "move_id": line.move_id.id})
        line.lot_name = lot_name
        return line

    def _scanner_on_package(self, package, state):
        """A package scanned after products: the counted, unpacked lines go in it."""
        self.ensure_one()
        result = self._scanner_put_in_pack(package)
        return self._scanner_result(
            {k: v for k, v in state.items() if k in ("location_id", "location")}, result["message"]
        )

    # ------------------------------------------------------------------------------------------------
    # Typed quantities, short picks
    # ------------------------------------------------------------------------------------------------
    @api.model
    def scanner_set_quantity(self, move_line_id, quantity):
        """The worker types the quantity counted on a line: the same over-pick rule as a scan."""
        line = self.env["stock.move.line"].browse(move_line_id).exists()
        if not line or not line.picking_id:
            raise UserError(self.env._("This line no longer exists: reload the transfer."))
        picking = self._scanner_get(line.picking_id.id)
        picking._scanner_check_claim()
        if line.result_package_id and line.picked:
            picking._scanner_error(
                self.env._("%(product)s is already packed in %(package)s on %(picking)s.",
                           product=line.product_id.display_name, package=line.result_package_id.name,
                           picking=picking.name)
            )
        quantity = -1.0 if quantity is None else quantity
        if line.product_uom_id.compare(quantity, 0.0) < 0:
            picking._scanner_error(
                self.env._("A counted quantity cannot be negative (%(picking)s).", picking=picking.name)
            )
        if line.product_uom_id.compare(quantity, line.quantity) > 0:
            picking._scanner_error(
                self.env._(
                    "Over-pick: %(qty)s %(product)s is more than the %(max)s %(picking)s asks for on this line.",
                    qty=format_qty(quantity),
                    product=line.product_id.display_name,
                    max=format_qty(line.quantity),
                    picking=picking.name,
                )
            )
        if line.product_id.tracking != "none" and quantity and not (line.lot_id or line.lot_name):
            picking._scanner_error(
                self.env._("%(product)s is tracked: scan its lot or serial number first.",
                           product=line.product_id.display_name)
            )
        line.scanner_qty = quantity
        message = self.env._(
            "%(product)s: %(qty)s counted.", product=line.product_id.display_name, qty=format_qty(quantity)
        )
        return picking._scanner_result({}, message, line)

    @api.model
    def scanner_report_short(self, move_id, quantity, reason):
        """Record that only ``quantity`` of a move's demand was found, and why. The counted lines are set to
        it; validating then leaves the rest in a backorder (or cancels it) and the suite raises its short
        pick exception, as from the web client."""
        move = self.env["stock.move"].browse(move_id).exists()
        if not move or not move.picking_id:
            raise UserError(self.env._("This line no longer exists: reload the transfer."))
        picking = self._scanner_get(move.picking_id.id)
        picking._scanner_check_claim()
        reason = (reason or "").strip()
        if not reason:
            picking._scanner_error(
                self.env._("Say why %(product)s is short on %(picking)s.", product=move.product_id.display_name,
                           picking=picking.name)
            )
        uom = move.product_uom
        quantity = -1.0 if quantity is None else quantity
        if uom.compare(quantity, 0.0) < 0 or uom.compare(quantity, move.product_uom_qty) >= 0:
            picking._scanner_error(
                self.env._(
                    "A short pick of %(product)s on %(picking)s is less than its demand of %(demand)s and not "
                    "negative (%(qty)s given).",
                    product=move.product_id.display_name,
                    picking=picking.name,
                    demand=format_qty(move.product_uom_qty),
                    qty=format_qty(quantity),
                )
            )
        left = quantity
        for line in move.move_line_ids.sorted("id"):
            counted = min(left, line.quantity)
            line.scanner_qty = counted
            left -= counted
        if uom.compare(left, 0.0) > 0:
            picking._scanner_error(
                self.env._(
                    "Only %(reserved)s %(product)s is reserved on %(picking)s: %(qty)s cannot be picked.",
                    reserved=format_qty(move.quantity),
                    product=move.product_id.display_name,
                    picking=picking.name,
                    qty=format_qty(quantity),
                )
            )
        move.scanner_short_reason = reason
        picking.message_post(
            body=self.env._(
                "Short pick reported by %(user)s: %(product)s, %(qty)s of %(demand)s %(uom)s found. Reason: %(reason)s",
                user=self.env.user.name,
                product=move.product_id.display_name,
                qty=format_qty(quantity),
                demand=format_qty(move.product_uom_qty),
                uom=uom.name,
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return picking._scanner_screen()

    # ------------------------------------------------------------------------------------------------
    # Packing and validation
    # ------------------------------------------------------------------------------------------------
    def _scanner_apply_counts(self, lines):
        """Turn what the scanner counted into Odoo's picked quantities on ``lines`` (a counted line: its
        quantity, picked). The counts are re-checked here: a count written by another path cannot exceed
        what the line asks for."""
        for line in lines:
            if line.product_uom_id.compare(line.scanner_qty, line.quantity) > 0:
                raise UserError(
                    self.env._(
                        "Over-pick: %(qty)s %(product)s counted on %(picking)s, more than the %(max)s asked for.",
                        qty=format_qty(line.scanner_qty),
                        product=line.product_id.display_name,
                        picking=line.picking_id.name,
                        max=format_qty(line.quantity),
                    )
                )
            if line.product_id.tracking != "none" and not (line.lot_id or line.lot_name):
                raise UserError(
                    self.env._("%(product)s on %(picking)s is tracked: scan its lot or serial number.",
                               product=line.product_id.display_name, picking=line.picking_id.name)
                )
        # Lines counted in full only become picked: one write for all of them, whatever their number.
        full = lines.filtered(lambda ml: ml.product_uom_id.compare(ml.scanner_qty, ml.quantity) == 0)
        full.write({"picked": True})
        for line in lines - full:
            line.write({"quantity": line.scanner_qty, "picked": True})

    def _scanner_put_in_pack(self, package=None):
        self.ensure_one()
        lines = self.move_line_ids.filtered(lambda ml: ml.scanner_qty > 0 and not ml.result_package_id)
        if not lines:
            self._scanner_error(
                self.env._("Nothing counted to pack on %(picking)s: scan the products first, then the package.",
                           picking=self.name)
            )
        self._scanner_apply_counts(lines)
        action = lines.action_put_in_pack(package_id=package.id if package else False)
        if isinstance(action, dict) and action.get("res_model"):
            raise UserError(
                self.env._(
                    "The counted lines of %(picking)s go to different places: put each place's lines in its own "
                    "package.",
                    picking=self.name,
                )
            )
        package = lines.result_package_id[:1]
        return {
            "message": self.env._("Packed in %(package)s.", package=package.name),
            "package": package.name,
        }

    @api.model
    def scanner_put_in_pack(self, picking_id, package_id=False):
        """Put what was counted and is not packed yet in a package: the one scanned, else a new one."""
        picking = self._scanner_get(picking_id)
        picking._scanner_lock_for_validation()
        picking._scanner_check_claim()
        package = self.env["stock.package"].browse(package_id) if package_id else None
        result = picking._scanner_put_in_pack(package)
        result["screen"] = picking._scanner_screen()
        return result

    @api.model
    def _scanner_validation_answers(self):
        """The confirmations ``button_validate`` may ask that the scanner answers itself: {wizard model:
        its button}, the button a web client user leaving the company's settings as they are clicks.
        Extension point for modules adding a pre-validation wizard."""
        return {
            # stock_sms: once per company, the notice that deliveries send a text message to the customer.
            "confirm.stock.sms": "send_sms",
        }

    def _scanner_process_validation_action(self, action, backorder):
        """Answer what ``button_validate`` asked, as the web client's user would: the backorder wizard
        (create the backorder or not), the confirmations of ``_scanner_validation_answers``. Any other
        confirmation needs the web client."""
        if not isinstance(action, dict):
            return None
        res_model = action.get("res_model")
        if res_model == "stock.backorder.confirmation":
            wizard = self.env["stock.backorder.confirmation"].with_context(**action.get("context", {})).create({})
            return wizard.process() if backorder else wizard.process_cancel_backorder()
        answer = self._scanner_validation_answers().get(res_model)
        if answer and res_model in self.env:
            Wizard = self.env[res_model].with_context(**action.get("context", {}))
            wizard = Wizard.browse(action["res_id"]) if action.get("res_id") else Wizard.create({})
            return getattr(wizard, answer)()
        if action.get("tag") == "display_notification":
            return action
        if action.get("tag") == "do_multi_print" or action.get("type") == "ir.actions.report":
            return None
        raise UserError(
            self.env._(
                "%(picking)s needs a confirmation the scanner does not handle (%(what)s): validate it in Inventory.",
                picking=self.name,
                what=action.get("name") or action.get("res_model") or action.get("tag") or "",
            )
        )

    @api.model
    def scanner_validate(self, picking_id, backorder=True):
        """Validate the transfer with what was counted, exactly through ``button_validate`` (the suite's
        credit check at goods issue, backorders, short-pick exceptions, invoicing on delivery and
        notifications follow), answering the backorder question with ``backorder``."""
        picking = self._scanner_get(picking_id)
        picking._scanner_lock_for_validation()
        picking._scanner_check_claim()
        lines = picking.move_line_ids
        counted = lines.filtered(lambda ml: ml.scanner_qty > 0 and not ml.picked)
        if not counted and not lines.filtered("picked"):
            picking._scanner_error(self.env._("Nothing is counted on %(picking)s yet: scan what you pick.",
                                              picking=picking.name))
        # Lines never scanned stay unpicked: core leaves them out (backorder, or cancelled).
        picking._scanner_apply_counts(counted)
        action = picking.button_validate()
        while isinstance(action, dict):
            answer = picking._scanner_process_validation_action(action, backorder)
            if isinstance(answer, dict) and answer.get("tag") == "display_notification":
                return {"done": False, "message": answer["params"]["message"], "backorder": False}
            action = answer
        if picking.state != "done":
            raise UserError(
                self.env._("%(picking)s could not be validated (state: %(state)s).", picking=picking.name,
                           state=picking.state)
            )
        picking.sudo().scanner_user_id = False
        backorders = picking.backorder_ids
        if backorders:
            message = self.env._("%(picking)s done; the rest waits in %(backorders)s.", picking=picking.name,
                                 backorders=", ".join(backorders.mapped("name")))
        else:
            message = self.env._("%(picking)s done.", picking=picking.name)
        return {"done": True, "message": message, "backorder": backorders[:1].name or False}
