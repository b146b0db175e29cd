from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

MANAGER = "stock.group_stock_manager"


class DistributionCycleCountLine(models.Model):
    """What was counted of one product (lot, package) in the count's location. Blind count: the recorded
    quantity, the difference and its value are readable by inventory managers only (field groups, so not
    sent to a counter by any read); the counter sees them through the ``result_*`` fields once the line
    was submitted."""

    _name = "distribution.cycle.count.line"
    _description = "Cycle Count Line"
    _inherit = ["distribution.system.fields.mixin"]
    _order = "count_id, id"
    _check_company_auto = True

    count_id = fields.Many2one("distribution.cycle.count", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="count_id.company_id", store=True, index=True)
    location_id = fields.Many2one(related="count_id.location_id")
    count_state = fields.Selection(related="count_id.state", string="Count Status")
    product_id = fields.Many2one(
        "product.product", required=True, index=True, check_company=True, domain="[('is_storable', '=', True)]"
    )
    product_barcode = fields.Char(related="product_id.barcode")
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial Number", check_company=True, domain="[('product_id', '=', product_id)]"
    )
    package_id = fields.Many2one("stock.package", check_company=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [("draft", "To Count"), ("to_approve", "To Approve"), ("applied", "Applied")],
        default="draft", required=True, readonly=True, copy=False, index=True,
    )
    counted_qty = fields.Float(string="Counted", digits="Product Unit", copy=False)
    recorded_qty = fields.Float(
        string="Recorded", digits="Product Unit", readonly=True, copy=False, groups=MANAGER,
        help="On hand when counting started (blind count: hidden from the counter).",
    )
    difference_qty = fields.Float(digits="Product Unit", readonly=True, copy=False,
                                  groups=MANAGER)
    difference_value = fields.Monetary(readonly=True, copy=False, groups=MANAGER,
                                       help="Difference times the product's cost, when submitted.")
    current_qty = fields.Float(
        string="On Hand Now", digits="Product Unit", compute="_compute_current_qty", groups=MANAGER,
        help="Differs from Recorded when stock moved in the location since counting started: recount.",
    )
    result_recorded_qty = fields.Float(string="Recorded Quantity", digits="Product Unit",
                                       compute="_compute_results", compute_sudo=True)
    result_difference_qty = fields.Float(string="Counted Difference", digits="Product Unit",
                                         compute="_compute_results", compute_sudo=True)

    @api.depends("state", "recorded_qty", "difference_qty")
    def _compute_results(self):
        for line in self:
            submitted = line.state != "draft"
            line.result_recorded_qty = line.recorded_qty if submitted else 0.0
            line.result_difference_qty = line.difference_qty if submitted else 0.0

    def _compute_current_qty(self):
        current = self._get_current_quantities()
        for line in self:
            line.current_qty = current.get(line, 0.0)

    @api.model
    def _get_distribution_system_fields(self):
        # The snapshot, the difference and where a line stands are the server's (blind count, approval).
        return super()._get_distribution_system_fields() | {
            "state", "recorded_qty", "difference_qty", "difference_value", "company_id",
        }

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not self.env.su:
            lines.count_id._check_can_count()
        # A line added while counting gets its snapshot now, as the others got theirs at the start.
        lines.filtered(lambda line: line.count_id.state == "in_progress").sudo()._take_snapshot()
        return lines

    def write(self, vals):
        self._check_distribution_system_fields([vals])
        if "count_id" in vals and any(line.count_id.id != vals["count_id"] for line in self):
            # A line counted in one task would otherwise land in another (submitted, or someone else's).
            raise UserError(
                self.env._(
                    "Cycle count %(name)s: a counted line cannot be moved to another count; add a line there.",
                    name=", ".join(self.count_id.mapped("name")),
                )
            )
        if not self.env.su:
            self.count_id._check_can_count()
            applied = self.filtered(lambda line: line.state != "draft")
            if applied:
                raise UserError(
                    self.env._(
                        "Cycle count %(name)s: %(products)s were submitted and cannot be changed.",
                        name=", ".join(applied.count_id.mapped("name")),
                        products=", ".join(applied.product_id.mapped("display_name")),
                    )
                )
            if "counted_qty" in vals and (vals["counted_qty"] or 0.0) < 0:
                raise UserError(
                    self.env._("Cycle count %(name)s: a counted quantity cannot be negative.",
                               name=", ".join(self.count_id.mapped("name")))
                )
        res = super().write(vals)
        if {"product_id", "lot_id", "package_id"} & set(vals):
            self.filtered(lambda line: line.count_id.state == "in_progress").sudo()._take_snapshot()
        return res

    def unlink(self):
        if not self.env.su:
            self.count_id._check_can_count()
            if any(line.state != "draft" for line in self):
                raise UserError(self.env._("Submitted cycle count lines cannot be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------------------------------------
    def _stock_key(self):
        return (self.location_id.id, self.product_id.id, self.lot_id.id, self.package_id.id)

    def _get_current_quantities(self):
        """{line: quantity on hand now} for the lines' (location, product, lot, package), the company's
        own stock (no owner), in one grouped query."""
        if not self:
            return {}
        rows = self.env["stock.quant"].sudo()._read_group(
            [("location_id", "in", self.location_id.ids), ("product_id", "in", self.product_id.ids),
             ("owner_id", "=", False)],
            ["location_id", "product_id", "lot_id", "package_id"],
            ["quantity:sum"],
        )
        on_hand = {(loc.id, product.id, lot.id, package.id): qty for loc, product, lot, package, qty in rows}
        return {line: on_hand.get(line._stock_key(), 0.0) for line in self}

    def _take_snapshot(self):
        """Record what is on hand now: the quantity the count is compared with."""
        current = self._get_current_quantities()
        for line in self:
            line.recorded_qty = current[line]

    def _get_stale_lines(self):
        current = self._get_current_quantities()
        return self.filtered(lambda line: line.product_uom_id.compare(current[line], line.sudo().recorded_qty) != 0)

    def _check_not_stale(self, approving=False):
        """Refuse when stock moved in the location since counting started (a pick, a receipt): the counted
        quantities no longer say what is there, and applying them would undo those moves."""
        stale = self._get_stale_lines()
        if not stale:
            return
        count = stale.count_id[:1]
        products = ", ".join(stale.product_id.mapped("display_name"))
        if approving:
            raise UserError(
                self.env._(
                    "Cycle count %(name)s: stock of %(products)s moved in %(location)s since it was counted. "
                    "Reject the count to have it counted again.",
                    name=count.name, products=products, location=count.location_id.display_name,
                )
            )
        raise UserError(
            self.env._(
                "Cycle count %(name)s: stock of %(products)s moved in %(location)s since counting started. "
                "Restart the count (Recount) and count again.",
                name=count.name, products=products, location=count.location_id.display_name,
            )
        )

    def _check_lots(self):
        """A product tracked by lot or serial number is counted per lot: a line without one, counted, is
        refused (Odoo cannot adjust its stock without knowing which lot)."""
        missing = self.filtered(
            lambda line: line.product_id.tracking != "none" and not line.lot_id
            and not line.product_uom_id.is_zero(line.counted_qty)
        )
        if missing:
            raise UserError(
                self.env._(
                    "Cycle count %(name)s: %(products)s are tracked by lot or serial number; give the lot of "
                    "each counted line.",
                    name=missing.count_id[:1].name, products=", ".join(missing.product_id.mapped("display_name")),
                )
            )

    def _record_difference(self):
        for line in self:
            line.difference_qty = line.counted_qty - line.recorded_qty
            line.difference_value = line.difference_qty * line.product_id.with_company(line.company_id).standard_price

    def _needs_approval(self):
        """The line waits for an inventory manager: its difference is above the company's approval
        quantity or its value above the approval value (exactly at a threshold applies at once)."""
        self.ensure_one()
        line = self.sudo()
        company = line.company_id
        return (
            line.product_uom_id.compare(abs(line.difference_qty), company.distribution_count_approval_qty) > 0
            or company.currency_id.compare_amounts(
                abs(line.difference_value), company.distribution_count_approval_value
            ) > 0
        )

    def _apply_count(self):
        """Apply the counted quantities through Odoo's inventory adjustment (quants in inventory mode,
        ``_apply_inventory``): the moves are Odoo's inventory adjustments referenced by the count, and the
        location's last inventory date is updated. Lines without a difference move nothing. ``self``: lines
        of one count."""
        if not self:
            return
        self.count_id.ensure_one()
        Quant = self.env["stock.quant"].sudo()
        counted_by_key = defaultdict(float)
        lines_by_key = defaultdict(lambda: self.browse())
        for line in self:
            counted_by_key[line._stock_key()] += line.counted_qty
            lines_by_key[line._stock_key()] |= line
        # The quants of these lines, read at once; the lines lock the count, the quants are Odoo's to lock.
        existing = defaultdict(lambda: Quant)
        quants_there = Quant.search(
            [("location_id", "in", self.location_id.ids), ("product_id", "in", self.product_id.ids),
             ("owner_id", "=", False)],
            order="id",
        )
        for quant in quants_there:
            existing[(quant.location_id.id, quant.product_id.id, quant.lot_id.id, quant.package_id.id)] |= quant
        quants, new_vals = Quant, []
        for key, counted in counted_by_key.items():
            if all(ln.product_uom_id.is_zero(ln.difference_qty) for ln in lines_by_key[key]):
                continue
            same = existing[key]
            if not same:
                line = lines_by_key[key][0]
                new_vals.append({"product_id": line.product_id.id, "location_id": line.location_id.id,
                                 "lot_id": line.lot_id.id, "package_id": line.package_id.id,
                                 "inventory_quantity": counted})
                continue
            # Quants not merged yet: the first one takes the whole difference, so the total is what was counted.
            same[0].inventory_quantity = same[0].quantity + counted - sum(same.mapped("quantity"))
            quants |= same[0]
        if new_vals:
            inventory_quantities = [vals.pop("inventory_quantity") for vals in new_vals]
            created = Quant.create(new_vals)
            for quant, inventory_quantity in zip(created, inventory_quantities, strict=True):
                quant.inventory_quantity = inventory_quantity
            quants |= created
        if quants:
            quants.with_context(
                distribution_cycle_count_apply=True, inventory_name=self.count_id.name
            )._apply_inventory()
        self.write({"state": "applied"})

    def _scanner_line_dict(self):
        """A line as the scanner shows it: what to count and what was counted, never what is recorded."""
        self.ensure_one()
        return {
            "id": self.id,
            "product_id": self.product_id.id,
            "product": self.product_id.display_name,
            "barcode": self.product_id.barcode or False,
            "lot": self.lot_id.name or False,
            "package": self.package_id.name or False,
            "uom": self.product_uom_id.name,
            "counted_qty": self.counted_qty,
            "state": self.state,
        }
