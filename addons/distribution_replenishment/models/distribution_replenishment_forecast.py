"""The planner's forecasting by demand class (see models/forecasting.py for the methods): method pins on
product categories and products, the forecast each run used per product x warehouse with its back-tested
accuracy, and the hooks the run calls (``_get_history_weeks``, ``_prepare_forecasts``, ``_forecast_position``,
``_get_forecast_line_vals``, ``_store_forecasts``)."""

import logging
import math
import statistics
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from . import forecasting

# Weeks of history read when the planner chooses methods (two years: a season needs more than one).
LIBRARY_HISTORY_WEEKS = 104
# Weeks at the end of the history on which methods are back-tested (rolling origin).
BACKTEST_WEEKS = 26
# Each back-tested forecast is the total of this many weeks (a typical lead time + review period): the
# quantity the planner orders for, and a measure an intermittent series cannot win by forecasting zero.
FORECAST_STEPS = 4
# Series back-tested per group to choose its method (a deterministic spread over the group).
SAMPLE_PER_GROUP = 300
# Runs whose forecasts the accuracy job scores in one call (it calls itself again for the rest).
SCORE_RUNS_PER_CALL = 20
# Stored forecasts deleted per statement by the retention clean-up.
PURGE_BATCH = 10000

_logger = logging.getLogger(__name__)

PINNABLE_METHODS = [
    ("moving_average", "Moving average"),
    ("exponential_smoothing", "Exponential smoothing"),
    ("croston", "Croston"),
    ("sba", "SBA (Syntetos-Boylan)"),
    ("tsb", "TSB (Teunter-Syntetos-Babai)"),
    ("holt", "Holt (damped trend)"),
    ("holt_winters", "Holt-Winters (yearly season)"),
    ("adida", "ADIDA (4-week aggregation)"),
    ("imapa", "IMAPA (multiple aggregation)"),
    ("combination", "Combination (SBA, TSB, ADIDA, moving average)"),
]
DEMAND_CLASSES = [
    (forecasting.SMOOTH, "Smooth"),
    (forecasting.ERRATIC, "Erratic"),
    (forecasting.INTERMITTENT, "Intermittent"),
    (forecasting.LUMPY, "Lumpy"),
]
DEMAND_PATTERNS = [(forecasting.SEASONAL, "Seasonal"), (forecasting.TREND, "Trend")]
CLASS_HELP = (
    "Syntetos-Boylan class from the average demand interval (ADI, cut-off 1.32) and the squared coefficient "
    "of variation of the demand sizes (CV², cut-off 0.49)."
)
PATTERN_HELP = "A yearly season or a trend detected in the history (smooth and erratic demand)."
METHOD_HELP = (
    "The forecast method and its parameters: pinned on the product or its category, else the one with the best "
    "back-tested MASE for the demand class (company setting 'Automatic')."
)
MASE_HELP = (
    "Mean absolute scaled error of the method's 4-week forecasts back-tested over the last 26 weeks (rolling "
    "origin), scaled by the history's mean week-to-week change: below 1 beats the naive forecast."
)
BIAS_HELP = "Mean back-tested error per week (forecast - actual): positive over-forecasts."


class ProductCategory(models.Model):
    _inherit = "product.category"

    replenishment_forecast_method = fields.Selection(
        PINNABLE_METHODS,
        string="Forecast Method",
        help="Pins the replenishment planner's forecast method for the products of this category and its "
        "subcategories (unless a subcategory or the product pins another); empty: the company's setting.",
    )
    replenishment_service_level = fields.Float(
        string="Service Level (%)",
        help="Service level of the safety stock for the products of this category and its subcategories "
        "(service-level safety stock); 0: the parent category's, else the company's.",
    )


class ProductTemplate(models.Model):
    _inherit = "product.template"

    replenishment_forecast_method = fields.Selection(
        PINNABLE_METHODS,
        string="Forecast Method",
        help="Pins the replenishment planner's forecast method for this product; empty: its category's, "
        "else the company's setting.",
    )


class DistributionReplenishmentForecast(models.Model):
    """The forecast a run used for one product x warehouse and how that method did when back-tested on the
    product's own history (rolling origin over the last weeks): the accuracy report reads these."""

    _name = "distribution.replenishment.forecast"
    _description = "Replenishment Forecast"
    _order = "run_id desc, warehouse_id, product_id"
    _check_company_auto = False  # written by the planner only, from the run's company

    run_id = fields.Many2one("distribution.replenishment.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(string="Planned On", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, index=True)
    demand_class = fields.Selection(DEMAND_CLASSES, help=CLASS_HELP)
    demand_pattern = fields.Selection(DEMAND_PATTERNS, help=PATTERN_HELP)
    method = fields.Char(string="Forecast Method", help=METHOD_HELP)
    method_pinned = fields.Boolean(
        string="Pinned", help="Set on the product or its category; otherwise chosen by back-test for the class.",
    )
    weekly_forecast = fields.Float(string="Forecast per Week", digits="Product Unit")
    qty_forecast = fields.Float(string="Forecast over Horizon", digits="Product Unit")
    backtest_mase = fields.Float(string="MASE", digits=(16, 3), aggregator="avg", help=MASE_HELP)
    backtest_bias = fields.Float(string="Bias per Week", digits=(16, 2), aggregator="avg", help=BIAS_HELP)
    backtest_rmse = fields.Float(
        string="RMSE (4 weeks)", digits=(16, 2), aggregator="avg",
        help="Root mean squared error of the back-tested 4-week totals: the safety stock is computed from it.",
    )
    backtest_count = fields.Integer(
        string="Back-tested Forecasts", aggregator="sum", help="Forecasts scored in the back-test."
    )
    stockout_weeks = fields.Integer(
        aggregator="sum", help="Weeks of the history taken for stock-outs (runs of weeks without sales in a "
        "product that sells most weeks) and left out of the forecast.",
    )
    service_level = fields.Float(
        string="Service Level (%)", digits=(16, 1), aggregator="avg",
        help="Service level of the safety stock: the highest of the product category's and of the customer "
        "classes that ordered the product from this warehouse, else the company's.",
    )
    qty_forecast_next = fields.Float(
        string="Forecast, Next 4 Weeks", digits="Product Unit",
        help="What the method forecast for the 4 weeks after planning: scored against the demand of those weeks.",
    )
    naive_scale = fields.Float(
        string="MASE Scale", digits=(16, 3), aggregator="avg",
        help="Mean week-to-week change of the history the forecast was made from: the realised MASE's scale.",
    )
    actual_qty = fields.Float(
        string="Actual, Next 4 Weeks", digits="Product Unit",
        help="The demand of the 4 weeks after planning (same history source as the planner: deliveries or "
        "orders), filled in by the scheduled job once they have passed.",
    )
    realised_date = fields.Datetime(
        string="Scored On", index="btree_not_null",
        help="When the demand that followed was read (empty: the 4 weeks have not passed yet).",
    )
    realised_mase = fields.Float(
        string="Realised MASE", digits=(16, 3), aggregator="avg",
        help="|forecast - actual| of the 4 weeks after planning / (4 x the MASE scale): the accuracy the "
        "forecast really had, to compare with the back-tested MASE.",
    )
    realised_bias = fields.Float(
        string="Realised Bias per Week", digits=(16, 2), aggregator="avg",
        help="(forecast - actual) of the 4 weeks after planning, per week: positive over-forecast.",
    )

    # ------------------------------------------------------------------------------------------------
    # Scheduled: realised accuracy and retention
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_score_and_purge(self):
        """Daily: fill in the demand that followed the stored forecasts whose 4 weeks have passed (a batch
        of runs per call, the job triggered again while some remain), then delete the forecasts older than
        each company's retention."""
        remaining = self._score_realised_demand()
        self._purge_expired_forecasts()
        if remaining:
            self.env.ref("distribution_replenishment.ir_cron_replenishment_forecast_accuracy")._trigger()

    @api.model
    def _score_realised_demand(self, now=None, max_runs=SCORE_RUNS_PER_CALL):
        """Score the forecasts of up to ``max_runs`` runs planned at least FORECAST_STEPS weeks before ``now``
        and not scored yet: the demand of the FORECAST_STEPS weeks after each run's date, read as the planner
        reads its history (``_read_history``: the company's demand source), one read and one update per run.
        Idempotent: a scored forecast is never scored again. Returns whether due runs remain."""
        now = now or fields.Datetime.now()
        due = now - timedelta(weeks=FORECAST_STEPS)
        self.flush_model(["run_id", "date", "realised_date"])
        self.env.cr.execute(SQL(
            """
            SELECT run_id FROM %s
             WHERE realised_date IS NULL AND date <= %s
             GROUP BY run_id ORDER BY run_id LIMIT %s
            """,
            SQL.identifier(self._table), due, max_runs + 1,
        ))
        run_ids = [row[0] for row in self.env.cr.fetchall()]
        runs = self.env["distribution.replenishment.run"].sudo().browse(run_ids[:max_runs])
        for run in runs:
            run.with_company(run.company_id)._score_forecasts(now)
        return len(run_ids) > max_runs

    @api.model
    def _purge_expired_forecasts(self, now=None):
        """Delete the stored forecasts older than their company's retention (0: kept), PURGE_BATCH at a
        time. Returns how many were deleted."""
        now = now or fields.Datetime.now()
        deleted = 0
        for company in self.env["res.company"].sudo().search([("replenishment_forecast_retention_days", ">", 0)]):
            limit = now - timedelta(days=company.replenishment_forecast_retention_days)
            while True:
                expired = self.sudo().search([("company_id", "=", company.id), ("date", "<", limit)],
                                             limit=PURGE_BATCH, order="id")
                if not expired:
                    break
                deleted += len(expired)
                expired.unlink()
        if deleted:
            _logger.info("Deleted %s stored replenishment forecasts past their retention", deleted)
        return deleted


class DistributionReplenishmentLine(models.Model):
    _inherit = "distribution.replenishment.line"

    demand_class = fields.Selection(DEMAND_CLASSES, readonly=True, help=CLASS_HELP)
    demand_pattern = fields.Selection(DEMAND_PATTERNS, readonly=True, help=PATTERN_HELP)
    forecast_method = fields.Char(string="Forecast Method Code", readonly=True, help=METHOD_HELP)
    forecast_method_name = fields.Char(
        string="Forecast Method", compute="_compute_forecast_method_name", help=METHOD_HELP
    )
    forecast_mase = fields.Float(string="Forecast MASE", digits=(16, 2), readonly=True, help=MASE_HELP)
    forecast_bias = fields.Float(digits=(16, 2), readonly=True, help=BIAS_HELP)
    spike_weeks = fields.Integer(
        readonly=True, help="Weeks of recent demand compared with their forecast for the spike (forecast by demand "
        "class); 0: last week against the weekly history.",
    )

    @api.model
    def _get_distribution_system_fields(self):
        return super()._get_distribution_system_fields() | {
            "demand_class", "demand_pattern", "forecast_method", "forecast_mase", "forecast_bias", "spike_weeks",
        }

    @api.depends("forecast_method")
    def _compute_forecast_method_name(self):
        """The method as buyers read it: 'TSB (Teunter-Syntetos-Babai): alpha=0.1, beta=0.05' for the stored
        'tsb(alpha=0.1, beta=0.05)'."""
        # The pinnable methods' labels, in the user's language.
        field = self.env["product.category"]._fields["replenishment_forecast_method"]
        names = dict(field._description_selection(self.env))
        for line in self:
            label = line.forecast_method or ""
            method, _sep, params = label.partition("(")
            name = names.get(method)
            line.forecast_method_name = (
                f"{name or method}: {params.rstrip(')')}" if params else (name or method)
            ) or False


class DistributionReplenishmentRun(models.Model):
    _inherit = "distribution.replenishment.run"

    forecast_ids = fields.One2many("distribution.replenishment.forecast", "run_id", string="Forecasts", copy=False)

    def action_view_forecasts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "distribution_replenishment.distribution_replenishment_forecast_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------------------------------------
    # Hooks called by _compute_plan
    # ------------------------------------------------------------------------------------------------
    def _forecast_with_library(self):
        """Whether this run forecasts by demand class: the company chooses methods ('auto') or some product
        or category pins one."""
        if self.company_id.replenishment_forecast_method == "auto":
            return True
        pinned = [("replenishment_forecast_method", "!=", False)]
        return bool(
            self.env["product.category"].sudo().search_count(pinned, limit=1)
            or self.env["product.template"].sudo().search_count(pinned, limit=1)
        )

    def _read_history(self, warehouses, product_ids, now, weeks=None):
        """Deliveries (as before) or, when the company plans from orders, what customers asked for: see
        ``_read_order_history``."""
        if self.company_id.replenishment_demand_source != "orders":
            return super()._read_history(warehouses, product_ids, now, weeks=weeks)
        return self._read_order_history(warehouses, product_ids, now, weeks=weeks)

    def _read_order_history(self, warehouses, product_ids, now, weeks=None):
        """{(product id, warehouse id): [quantity asked for per week, most recent first]}: the lines of
        confirmed sale orders of the company by requested date (the order's commitment date, else its order
        date; requested dates still to come are open demand, not history), in the product's unit, shipped
        from the order's warehouse; less what customers returned to the warehouse (done receipts from a
        customer location, on their date); a week never below zero. Two queries."""
        weeks = weeks or max(math.ceil(self.company_id.replenishment_history_days / 7), 1)
        self.env["sale.order.line"].flush_model(["product_id", "product_uom_qty", "product_uom_id", "order_id",
                                                 "display_type"])
        self.env["sale.order"].flush_model(["state", "company_id", "warehouse_id", "commitment_date", "date_order"])
        self.env["stock.move"].flush_model(
            ["product_id", "location_id", "location_dest_id", "state", "product_qty", "date"]
        )
        params = {
            "now": now, "since": now - timedelta(days=weeks * 7), "last": weeks - 1, "warehouses": warehouses.ids,
            "company": self.company_id.id, "products": product_ids,
        }
        cr = self.env.cr
        cr.execute(SQL(
            """
            SELECT line.product_id, so.warehouse_id,
                   LEAST(FLOOR(EXTRACT(EPOCH FROM (%(now)s - COALESCE(so.commitment_date, so.date_order)))
                               / 604800)::int, %(last)s),
                   SUM(line.product_uom_qty * line_uom.factor / product_uom.factor)
              FROM sale_order_line line
              JOIN sale_order so ON so.id = line.order_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
              JOIN uom_uom line_uom ON line_uom.id = line.product_uom_id
              JOIN uom_uom product_uom ON product_uom.id = template.uom_id
             WHERE so.state = 'sale' AND so.company_id = %(company)s AND line.display_type IS NULL
               AND so.warehouse_id = ANY(%(warehouses)s)
               AND COALESCE(so.commitment_date, so.date_order) >= %(since)s
               AND COALESCE(so.commitment_date, so.date_order) <= %(now)s
               AND (%(products)s::int[] IS NULL OR line.product_id = ANY(%(products)s))
             GROUP BY 1, 2, 3
            """,
            **params,
        ))
        history = {}
        for product_id, warehouse_id, week, quantity in cr.fetchall():
            history.setdefault((product_id, warehouse_id), [0.0] * weeks)[week] += quantity
        cr.execute(SQL(
            """
            SELECT move.product_id, dest.warehouse_id,
                   LEAST(FLOOR(EXTRACT(EPOCH FROM (%(now)s - move.date)) / 604800)::int, %(last)s),
                   SUM(move.product_qty)
              FROM stock_move move
              JOIN stock_location source ON source.id = move.location_id
              JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE move.state = 'done' AND source.usage = 'customer' AND move.company_id = %(company)s
               AND move.date >= %(since)s AND move.date <= %(now)s
               AND dest.warehouse_id = ANY(%(warehouses)s)
               AND (%(products)s::int[] IS NULL OR move.product_id = ANY(%(products)s))
             GROUP BY 1, 2, 3
            """,
            **params,
        ))
        for product_id, warehouse_id, week, quantity in cr.fetchall():
            weekly = history.get((product_id, warehouse_id))
            if weekly:
                weekly[week] = max(weekly[week] - quantity, 0.0)
        return history

    def _get_history_weeks(self):
        """Weeks of sales history to read: the company's history, at least two years when methods are chosen
        by demand class (the moving average still averages the company's history only)."""
        weeks = max(math.ceil(self.company_id.replenishment_history_days / 7), 1)
        if self._forecast_with_library():
            return max(weeks, LIBRARY_HISTORY_WEEKS)
        return weeks

    @api.model
    def _get_pinned_method(self, product):
        """The method pinned on the product, else on its category or the nearest parent category, or None."""
        if product.replenishment_forecast_method:
            return product.replenishment_forecast_method
        category = product.categ_id
        while category:
            if category.replenishment_forecast_method:
                return category.replenishment_forecast_method
            category = category.parent_id
        return None

    @api.model
    def _get_service_level(self, company, product, class_level=0.0):
        """Service level (%) of a product x warehouse: the highest of its category's (or the nearest parent's)
        and ``class_level`` (the highest service level among the customer classes whose demand it serves,
        ``_read_class_service_levels``); the company's when neither is set. A level set on a category or a
        class is a decision, so it wins over the company's default even when lower; between two decisions the
        more demanding customer is protected."""
        levels = [class_level] if class_level else []
        category = product.categ_id
        while category:
            if category.replenishment_service_level:
                levels.append(category.replenishment_service_level)
                break
            category = category.parent_id
        return max(levels) if levels else company.replenishment_service_level

    def _read_class_service_levels(self, warehouses, product_ids, now, weeks):
        """{(product id, warehouse id): the highest service level among the customer classes of the
        customers who ordered the product from the warehouse (confirmed sale orders of the company dated in
        the last ``weeks`` weeks or still to come)}; only classes with a level count. Two queries and a
        read of the customers' classes, none when no class of the company has a level."""
        company = self.company_id
        classes = self.env["distribution.customer.class"].sudo().with_context(active_test=False).search(
            [("service_level", ">", 0), ("company_id", "in", [False, company.id])]
        )
        if not classes:
            return {}
        customers = self.env["res.partner"].sudo().with_company(company).with_context(active_test=False).search(
            [("distribution_class_id", "in", classes.ids), ("is_company", "=", True)]
        )
        if not customers:
            return {}
        level_by_customer = {customer.id: customer.distribution_class_id.service_level for customer in customers}
        self.env["sale.order"].flush_model(["state", "company_id", "warehouse_id", "partner_id", "date_order"])
        self.env["sale.order.line"].flush_model(["order_id", "product_id", "display_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(SQL(
            """
            SELECT line.product_id, so.warehouse_id, partner.commercial_partner_id
              FROM sale_order_line line
              JOIN sale_order so ON so.id = line.order_id
              JOIN res_partner partner ON partner.id = so.partner_id
             WHERE so.state = 'sale' AND so.company_id = %(company)s AND line.display_type IS NULL
               AND so.warehouse_id = ANY(%(warehouses)s) AND so.date_order >= %(since)s
               AND partner.commercial_partner_id = ANY(%(customers)s)
               AND (%(products)s::int[] IS NULL OR line.product_id = ANY(%(products)s))
             GROUP BY 1, 2, 3
            """,
            company=company.id, warehouses=warehouses.ids, since=now - timedelta(weeks=weeks),
            customers=customers.ids, products=product_ids,
        ))
        levels = {}
        for product_id, warehouse_id, customer_id in self.env.cr.fetchall():
            key = (product_id, warehouse_id)
            levels[key] = max(levels.get(key, 0.0), level_by_customer.get(customer_id, 0.0))
        return levels

    def _prepare_forecasts(self, history, product_by_id, weeks):
        """What the run needs to forecast by demand class, or None when it forecasts as before: per product
        x warehouse its series (oldest first, from its first sale), class and group, the pinned method of
        each product, and per group the method with the best back-tested MASE over a sample of the group's
        unpinned series (``forecasting.choose_variants``)."""
        if not self._forecast_with_library():
            return None
        auto = self.company_id.replenishment_forecast_method == "auto"
        pins = {pid: self._get_pinned_method(product) for pid, product in product_by_id.items()}
        series_by_key = {}
        by_group = {}
        for key in sorted(history):
            if key[0] not in product_by_id or not (auto or pins[key[0]]):
                continue
            series = forecasting.trim_leading_zeros(list(reversed(history[key])))
            if not series:
                continue
            censored = forecasting.censored_weeks(forecasting.stockout_releases(series))
            demand_class, group = forecasting.group_of(series, censored)
            series_by_key[key] = (series, demand_class, group)
            if not pins[key[0]]:
                by_group.setdefault(group, []).append(series)
        samples = {
            group: members[:: max(len(members) // SAMPLE_PER_GROUP, 1)][:SAMPLE_PER_GROUP]
            for group, members in by_group.items()
        }
        choice = {}
        if auto:
            choice = forecasting.choose_variants(samples, BACKTEST_WEEKS, window=weeks, steps=FORECAST_STEPS)
        class_levels = {}
        if self.company_id.replenishment_safety_method == "service_level" and series_by_key:
            warehouses = self.env["stock.warehouse"].browse(sorted({wid for _pid, wid in series_by_key}))
            class_levels = self._read_class_service_levels(
                warehouses, sorted({pid for pid, _wid in series_by_key}), fields.Datetime.now(), weeks
            )
        return {"series": series_by_key, "pins": pins, "choice": choice, "window": weeks,
                "class_levels": class_levels}

    def _forecast_position(self, prepared, product, warehouse_id, horizon_days):
        """The forecast of one product x warehouse over the horizon by its pinned or chosen method (a dict:
        total, rate per week, mase, bias, rmse, n, censored, demand_class, demand_pattern, method, pinned,
        service_level), or None when it is forecast as before (no history, or no pin outside 'auto')."""
        entry = prepared["series"].get((product.id, warehouse_id)) if prepared else None
        if not entry:
            return None
        series, demand_class, group = entry
        pin = prepared["pins"].get(product.id)
        if pin:
            variant = forecasting.DEFAULT_VARIANTS[pin]
            if pin == "exponential_smoothing":
                variant = (pin, (("alpha", self.company_id.replenishment_smoothing_alpha),))
        else:
            variant = prepared["choice"].get(group, (forecasting.CANDIDATES[group][0], None))[0]
        result = forecasting.forecast_series(
            series, variant, max(horizon_days, 0.0) / 7.0, BACKTEST_WEEKS, window=prepared["window"],
            steps=FORECAST_STEPS, spike_weeks=self.company_id.replenishment_spike_weeks,
        )
        result.update(
            demand_class=demand_class,
            demand_pattern=group if group in (forecasting.SEASONAL, forecasting.TREND) else False,
            method=forecasting.variant_label(variant),
            pinned=bool(pin),
            service_level=self._get_service_level(
                self.company_id, product, prepared.get("class_levels", {}).get((product.id, warehouse_id), 0.0)
            ),
        )
        return result

    @api.model
    def _forecast_safety_stock(self, company, result, daily_rate, weekly, horizon_days):
        """Safety stock of a position forecast by demand class: days of cover as before, or for the service
        level method z(the category's or company's level) x the back-tested RMSE of the method's 4-week
        totals scaled to the horizon (x sqrt(horizon weeks / 4)); the demand's standard deviation when
        nothing could be back-tested."""
        if company.replenishment_safety_method != "service_level":
            return daily_rate * company.replenishment_safety_days
        if not result["n"]:
            return self._safety_stock(company, daily_rate, weekly, horizon_days)
        z_value = statistics.NormalDist().inv_cdf(result["service_level"] / 100.0)
        return max(z_value, 0.0) * result["rmse"] * math.sqrt(max(horizon_days, 0.0) / 7.0 / FORECAST_STEPS)

    @api.model
    def _is_demand_spike(self, company, plan):
        """Forecast by demand class: the last weeks' demand outside the method's error band either way (a
        spike up, or a drop: lost customers, a competitor, a stock-out starting)."""
        if not plan.get("forecast_info"):
            return super()._is_demand_spike(company, plan)
        return plan["zscore"] is not None and abs(plan["zscore"]) >= company.replenishment_spike_zscore

    @api.model
    def _get_forecast_line_vals(self, plan):
        """Values of a proposal line showing the buyer the class, method and back-tested accuracy."""
        result = plan.get("forecast_info")
        if not result:
            return {}
        return {
            "demand_class": result["demand_class"],
            "demand_pattern": result["demand_pattern"],
            "forecast_method": result["method"],
            "forecast_mase": result["mase"] or 0.0,
            "forecast_bias": result["bias"],
            "spike_weeks": self.company_id.replenishment_spike_weeks,
        }

    def _store_forecasts(self, plans, now):
        """Keep the forecast the run used for every product x warehouse forecast by demand class.

        Inserted in SQL, 1,000 rows a statement: a nightly run keeps one row per product x warehouse (30,000
        for 10,000 products in 3 warehouses), which the ORM's create would take seconds to write. The rows
        have no computed field, default or constraint beyond their columns, and are only read afterwards."""
        columns = (
            "run_id", "company_id", "date", "product_id", "warehouse_id", "demand_class", "demand_pattern", "method",
            "method_pinned", "weekly_forecast", "qty_forecast", "backtest_mase", "backtest_bias", "backtest_rmse",
            "backtest_count", "stockout_weeks", "service_level", "qty_forecast_next", "naive_scale", "create_uid",
            "create_date", "write_uid", "write_date",
        )
        rows = []
        for (product, warehouse), plan in sorted(plans.items(), key=lambda item: (item[0][0].id, item[0][1].id)):
            result = plan.get("forecast_info")
            if not result:
                continue
            rows.append((
                self.id, self.company_id.id, now, product.id, warehouse.id, result["demand_class"],
                result["demand_pattern"] or None, result["method"], result["pinned"], result["rate"],
                result["total"], result["mase"] or 0.0, result["bias"], result["rmse"], result["n"],
                result["censored"], result["service_level"], result["next_total"], result["scale"], self.env.uid,
                now, self.env.uid, now,
            ))
        Forecast = self.env["distribution.replenishment.forecast"]
        Forecast.flush_model()
        # A run computed again replaces the forecasts it kept, as it replaces its proposals.
        self.env.cr.execute(SQL("DELETE FROM %s WHERE run_id = %s", SQL.identifier(Forecast._table), self.id))
        for start in range(0, len(rows), 1000):
            self.env.cr.execute(SQL(
                "INSERT INTO %s (%s) VALUES %s",
                SQL.identifier(Forecast._table),
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(SQL("%s", row) for row in rows[start:start + 1000]),
            ))
        Forecast.invalidate_model()
        self.invalidate_recordset(["forecast_ids"])
        return len(rows)

    def _score_forecasts(self, now):
        """Fill in the demand of the FORECAST_STEPS weeks after this run's date on its forecasts not scored
        yet, with their realised error (``distribution.replenishment.forecast._score_realised_demand``). One
        read of the forecasts, one of the demand history, updates of 1,000 rows a statement."""
        self.ensure_one()
        Forecast = self.env["distribution.replenishment.forecast"]
        Forecast.flush_model()
        cr = self.env.cr
        cr.execute(SQL(
            """
            SELECT id, product_id, warehouse_id, date, qty_forecast_next, weekly_forecast, naive_scale
              FROM %s WHERE run_id = %s AND realised_date IS NULL
            """,
            SQL.identifier(Forecast._table), self.id,
        ))
        rows = cr.fetchall()
        if not rows:
            return 0
        start = min(row[3] for row in rows)
        warehouses = self.env["stock.warehouse"].browse(sorted({row[2] for row in rows}))
        history = self._read_history(warehouses, sorted({row[1] for row in rows}),
                                     start + timedelta(weeks=FORECAST_STEPS), weeks=FORECAST_STEPS)
        values = []
        for forecast_id, product_id, warehouse_id, _date, next_total, weekly, scale in rows:
            actual = sum(history.get((product_id, warehouse_id), ()))
            # Forecasts stored before the next weeks' forecast was kept: their weekly rate over the weeks.
            forecast = next_total if next_total is not None else FORECAST_STEPS * (weekly or 0.0)
            error = forecast - actual
            mase = abs(error) / (FORECAST_STEPS * scale) if scale else None
            values.append((forecast_id, actual, mase, error / FORECAST_STEPS))
        for offset in range(0, len(values), 1000):
            cr.execute(SQL(
                """
                UPDATE %(table)s AS forecast
                   SET actual_qty = scored.actual, realised_mase = scored.mase, realised_bias = scored.bias,
                       realised_date = %(now)s, write_date = %(now)s, write_uid = %(uid)s
                  FROM (VALUES %(values)s) AS scored(id, actual, mase, bias)
                 WHERE forecast.id = scored.id AND forecast.realised_date IS NULL
                """,
                table=SQL.identifier(Forecast._table), now=now, uid=self.env.uid,
                values=SQL(", ").join(
                    SQL("(%s::int, %s::float8, %s::float8, %s::float8)", *row) for row in values[offset:offset + 1000]
                ),
            ))
        Forecast.invalidate_model(["actual_qty", "realised_mase", "realised_bias", "realised_date"])
        return len(values)
