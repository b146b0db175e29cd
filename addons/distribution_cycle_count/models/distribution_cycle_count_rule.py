import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

OPEN_COUNT_STATES = ("draft", "in_progress", "to_approve")


class DistributionCycleCountRule(models.Model):
    _name = "distribution.cycle.count.rule"
    _description = "Cycle Count Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True, tracking=True,
        default=lambda self: self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1),
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Parent Location",
        required=True,
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', warehouse_id)]",
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Count tasks are made for this location and the internal locations under it.",
    )
    kind = fields.Selection(
        [("not_counted", "Locations not counted for N days"), ("value", "Products above a stock value")],
        required=True,
        default="not_counted",
        tracking=True,
        help="Not counted: a location whose last inventory is older than N days (or never counted), or whose "
        "next inventory date (the location's Inventory Frequency) has come. Stock value: a location holding "
        "products whose stock value there (quantity x cost) is above the amount; the task counts those products.",
    )
    days_not_counted = fields.Integer(string="Not Counted For (Days)", default=30, tracking=True)
    min_value = fields.Float(string="Stock Value Above", default=1000.0, tracking=True,
                             help="Company currency: quantity in the location times the product's cost.")
    max_tasks = fields.Integer(string="Max Tasks per Run", default=10, tracking=True,
                               help="The oldest-counted locations come first.")
    user_id = fields.Many2one(
        "res.users", string="Assign To", check_company=True,
        domain=lambda self: [
            ("share", "=", False), ("all_group_ids", "in", self.env.ref("stock.group_stock_user").ids)
        ],
        help="The counter the new tasks are assigned to; empty: any warehouse user may take them.",
    )
    date_last_run = fields.Datetime(string="Last Run", readonly=True, copy=False)
    count_ids = fields.One2many("distribution.cycle.count", "rule_id", string="Count Tasks")
    count_open = fields.Integer(string="Open Tasks", compute="_compute_count_open")

    _days_not_counted_positive = models.Constraint(
        "CHECK (days_not_counted >= 0)", "The number of days not counted cannot be negative."
    )
    _max_tasks_positive = models.Constraint("CHECK (max_tasks > 0)", "A rule makes at least one task per run.")

    @api.depends("warehouse_id")
    def _compute_location_id(self):
        for rule in self:
            if rule.warehouse_id and rule.location_id.warehouse_id != rule.warehouse_id:
                rule.location_id = rule.warehouse_id.lot_stock_id

    def _compute_count_open(self):
        counts = dict(
            self.env["distribution.cycle.count"]._read_group(
                [("rule_id", "in", self.ids), ("state", "in", OPEN_COUNT_STATES)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.count_open = counts.get(rule, 0)

    @api.constrains("min_value", "kind")
    def _check_min_value(self):
        for rule in self:
            if rule.kind == "value" and rule.min_value < 0:
                raise ValidationError(
                    self.env._("Cycle count rule %(rule)s: the stock value cannot be negative.", rule=rule.name)
                )

    # ------------------------------------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------------------------------------
    def action_generate_tasks(self):
        """Button: the count tasks due under these rules now (see ``_generate_tasks``); inventory managers."""
        self.check_access("write")
        counts = self._generate_tasks()
        return counts._action_view() if counts else True

    def action_view_counts(self):
        self.ensure_one()
        return self.count_ids._action_view() | {
            "domain": [("rule_id", "=", self.id)],
            "context": {"search_default_filter_to_count": 1, "search_default_filter_to_approve": 1},
        }

    @api.model
    def _cron_generate_tasks(self):
        self.search([])._generate_tasks()

    def _generate_tasks(self):
        """Create the count tasks due under these rules, at most ``max_tasks`` per rule. Idempotent: a
        location that already has an open task (of any rule, or made by hand) gets none, so running it twice
        creates nothing twice. The rules are locked for the run, so two runs at once do not both create."""
        if not self:
            return self.env["distribution.cycle.count"]
        self.env.cr.execute(
            "SELECT id FROM distribution_cycle_count_rule WHERE id IN %s ORDER BY id FOR UPDATE", [tuple(self.ids)]
        )
        Count = self.env["distribution.cycle.count"].sudo()
        vals_list = []
        for rule in self.sudo():
            candidates = rule._get_due_locations()
            open_counts = Count.search(
                [("location_id", "in", [loc.id for loc in candidates]), ("state", "in", OPEN_COUNT_STATES)]
            )
            busy = set(open_counts.location_id.ids)
            taken = {vals["location_id"] for vals in vals_list}
            due = [loc for loc in candidates if loc.id not in busy and loc.id not in taken][: rule.max_tasks]
            vals_list += [rule._prepare_count_vals(location, candidates[location]) for location in due]
        self.sudo().write({"date_last_run": fields.Datetime.now()})
        return self._create_counts_unless_open(Count, vals_list).with_env(self.env)

    @api.model
    def _create_counts_unless_open(self, Count, vals_list):
        """Create the tasks; one whose location got an open task meanwhile in another transaction (the
        unique index waits for it, then refuses) is skipped."""
        if not vals_list:
            return Count
        try:
            with self.env.cr.savepoint():
                return Count.create(vals_list)
        except psycopg2.errors.UniqueViolation:  # pylint: disable=except-pass
            pass  # one location was taken meanwhile: created one by one below, that one skipped
        counts = Count
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    counts |= Count.create([vals])
            except psycopg2.errors.UniqueViolation:
                _logger.info("Cycle count of location %s already opened concurrently: skipped", vals["location_id"])
        return counts

    def _prepare_count_vals(self, location, stock_keys):
        """Values of the count task of ``location``; ``stock_keys``: the (product, lot, package) to count
        there (all that is stocked there when the rule does not narrow it). Extension point."""
        self.ensure_one()
        return {
            "company_id": self.company_id.id,
            "warehouse_id": self.warehouse_id.id,
            "location_id": location.id,
            "rule_id": self.id,
            "user_id": self.user_id.id,
            "line_ids": [
                fields.Command.create({"product_id": product.id, "lot_id": lot.id, "package_id": package.id})
                for product, lot, package in stock_keys
            ],
        }

    def _get_locations(self):
        """The internal locations this rule looks at: its parent location and those under it."""
        self.ensure_one()
        return self.env["stock.location"].search(
            [("id", "child_of", self.location_id.id), ("usage", "=", "internal"),
             ("company_id", "=", self.company_id.id)]
        )

    def _get_due_locations(self):
        """{location: [(product, lot, package)] to count}, in the order they are due (oldest count first)."""
        self.ensure_one()
        if self.kind == "value":
            return self._get_due_locations_by_value()
        return self._get_due_locations_not_counted()

    def _get_stocked_products(self, locations):
        """{location: {(product, lot, package): quantity}} of what is stocked there (owned by the company),
        in one grouped query."""
        stocked = defaultdict(dict)
        rows = self.env["stock.quant"]._read_group(
            [("location_id", "in", locations.ids), ("quantity", ">", 0), ("owner_id", "=", False)],
            ["location_id", "product_id", "lot_id", "package_id"],
            ["quantity:sum"],
        )
        for location, product, lot, package, quantity in rows:
            stocked[location][(product, lot, package)] = quantity
        return stocked

    def _get_due_locations_not_counted(self):
        today = fields.Date.context_today(self)
        limit = today - timedelta(days=self.days_not_counted)
        locations = self._get_locations().filtered_domain(
            Domain.OR([
                [("last_inventory_date", "=", False)],
                [("last_inventory_date", "<=", limit)],
                [("next_inventory_date", "<=", today)],
            ])
        )
        locations = locations.sorted(lambda loc: (loc.last_inventory_date or fields.Date.to_date("1900-01-01"),
                                                   loc.complete_name))
        stocked = self._get_stocked_products(locations)
        return {location: list(stocked.get(location, {})) for location in locations}

    def _get_due_locations_by_value(self):
        locations = self._get_locations()
        stocked = self._get_stocked_products(locations)
        due = {}
        for location in locations.sorted(
            lambda loc: (loc.last_inventory_date or fields.Date.to_date("1900-01-01"), loc.complete_name)
        ):
            quantity_by_product = defaultdict(float)
            for (product, _lot, _package), quantity in stocked.get(location, {}).items():
                quantity_by_product[product] += quantity
            products = {
                product
                for product, quantity in quantity_by_product.items()
                if self.company_id.currency_id.compare_amounts(
                    quantity * product.with_company(self.company_id).standard_price, self.min_value
                ) > 0
            }
            if products:
                due[location] = [key for key in stocked[location] if key[0] in products]
        return due
