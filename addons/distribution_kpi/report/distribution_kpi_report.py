from odoo import api, fields, models
from odoo.orm.models import parse_read_group_spec
from odoo.tools import SQL

# Aggregators the KPI reports add to Odoo's (sum, avg, ...): percentiles, and ratios of two sums.
PERCENTILES = {"median": 0.5, "p90": 0.9}


class DistributionKpiReport(models.AbstractModel):
    """Shared by the KPI report views (SQL views, ``_auto = False``): the dimensions every KPI is
    filtered and grouped by, and two aggregators Odoo lacks, usable in pivots, graphs and grouped
    lists like ``sum``:

    - ``median`` and ``p90``: ``percentile_cont`` over the rows of the group;
    - ``ratio``: 100 x SUM(numerator) / SUM(denominator), the columns named in ``_kpi_ratios``
      (a fill rate is shipped over ordered quantities of the whole group, not an average of
      per-line rates)."""

    _name = "distribution.kpi.report"
    _description = "Distribution KPI Report"

    #: {ratio field: (numerator column, denominator column)}
    _kpi_ratios = {}

    company_id = fields.Many2one("res.company", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    customer_class_id = fields.Many2one("distribution.customer.class", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec != "__count":
            fname, property_name, func = parse_read_group_spec(aggregate_spec)
            if func in PERCENTILES and not property_name and fname in self._fields:
                return SQL(
                    "percentile_cont(%s) WITHIN GROUP (ORDER BY %s)",
                    PERCENTILES[func],
                    self._field_to_sql(self._table, fname, query),
                )
            if func == "ratio" and fname in self._kpi_ratios:
                numerator, denominator = self._kpi_ratios[fname]
                return SQL(
                    "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
                    self._field_to_sql(self._table, numerator, query),
                    self._field_to_sql(self._table, denominator, query),
                )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _read_group_groupby(self, alias, groupby_spec, query):
        # The dashboard's trend groups weeks as its own periods run, Monday to Sunday (Odoo groups them by
        # the language's first day of the week, Sunday in English): asked for by the dashboard's context.
        fname, property_name, granularity = parse_read_group_spec(groupby_spec)
        field = self._fields.get(fname)
        if (granularity == "week" and not property_name and field and field.type in ("date", "datetime")
                and self.env.context.get("distribution_kpi_monday_weeks")):
            sql_expr = self._field_to_sql(alias, fname, query)
            if field.type == "datetime":
                sql_expr = field.property_to_sql(sql_expr, "tz", self, alias, query)
                return SQL("date_trunc('week', %s::timestamp)", sql_expr)
            return SQL("date_trunc('week', %s::timestamp)::date", sql_expr)
        return super()._read_group_groupby(alias, groupby_spec, query)

    @api.model
    def _customer_class_sql(self, partner_alias, company_column):
        """The customer class of a commercial partner in a company (a company-dependent field, stored
        as JSON per company)."""
        return SQL(
            "NULLIF(%s ->> %s::text, '')::int",
            SQL.identifier(partner_alias, "distribution_class_id"),
            SQL(company_column),
        )
