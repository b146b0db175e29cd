from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

PERIODS = ("week", "month", "quarter")
# Periods shown in each KPI's trend, the current one last.
HISTORY_PERIODS = 12
INVENTORY_BUCKETS = [(0, 30, "0-30 days"), (31, 60, "31-60 days"), (61, 90, "61-90 days"), (91, 180, "91-180 days"),
                     (181, None, "Over 180 days")]


class DistributionKpiDashboard(models.AbstractModel):
    """The KPI figures of a period and of the one before, read from the KPI reports through the ORM
    (so record rules and the user's companies apply): what the managers' dashboard shows and what
    the weekly mail sends."""

    _name = "distribution.kpi.dashboard"
    _description = "Distribution KPI Dashboard"

    @api.model
    def _get_period_bounds(self, period, date_ref=None):
        """(current start, current end, previous start, previous end) as datetimes: the calendar
        week, month or quarter holding ``date_ref`` up to its end, and the whole period before it."""
        if period not in PERIODS:
            raise UserError(self.env._(
                "Unknown KPI period %(period)s: use one of %(periods)s.", period=period, periods=", ".join(PERIODS)
            ))
        day = fields.Date.to_date(date_ref) if date_ref else fields.Date.context_today(self)
        if period == "week":
            start, step = day - timedelta(days=day.weekday()), relativedelta(weeks=1)
        elif period == "month":
            start, step = day.replace(day=1), relativedelta(months=1)
        else:
            start, step = day.replace(day=1, month=3 * ((day.month - 1) // 3) + 1), relativedelta(months=3)
        current_start = datetime.combine(start, time.min)
        current_end = datetime.combine(day + timedelta(days=1), time.min)
        previous_start = current_start - step
        return current_start, current_end, previous_start, current_start

    @api.model
    def _kpi_definitions(self):
        """(key, label, unit, better, report model, period date field, aggregate, extra domain, action xmlid).
        ``better`` says which way is good ('lower' or 'higher'); ``unit`` is 'days', '%' or 'count'."""
        _ = self.env._
        return [
            ("ship_median", _("Order cycle, confirmed to shipped (median)"), "days", "lower",
             "distribution.kpi.order", "date_shipped", "ship_days_median:median", [],
             "distribution_kpi.distribution_kpi_order_action"),
            ("ship_p90", _("Order cycle, confirmed to shipped (90th percentile)"), "days", "lower",
             "distribution.kpi.order", "date_shipped", "ship_days_p90:p90", [],
             "distribution_kpi.distribution_kpi_order_action"),
            ("invoice_cycle_median", _("Order cycle, quotation to invoiced (median)"), "days", "lower",
             "distribution.kpi.order", "date_invoiced", "quote_to_invoice_days_median:median", [],
             "distribution_kpi.distribution_kpi_order_action"),
            ("invoice_cycle_p90", _("Order cycle, quotation to invoiced (90th percentile)"), "days", "lower",
             "distribution.kpi.order", "date_invoiced", "quote_to_invoice_days_p90:p90", [],
             "distribution_kpi.distribution_kpi_order_action"),
            ("line_fill_rate", _("Fill rate, lines complete in the first delivery"), "%", "higher",
             "distribution.kpi.fill", "date", "line_fill_rate:ratio", [],
             "distribution_kpi.distribution_kpi_fill_action"),
            ("qty_fill_rate", _("Fill rate, quantity in the first delivery"), "%", "higher",
             "distribution.kpi.fill", "date", "qty_fill_rate:ratio", [],
             "distribution_kpi.distribution_kpi_fill_action"),
            ("pick_accuracy", _("Pick accuracy, lines picked as demanded"), "%", "higher",
             "distribution.kpi.pick", "date", "line_accuracy:ratio", [],
             "distribution_kpi.distribution_kpi_pick_action"),
            ("invoice_lag_median", _("Invoice lag, shipped to invoiced (median)"), "days", "lower",
             "distribution.kpi.order", "date_invoiced", "invoice_lag_days_median:median", [],
             "distribution_kpi.distribution_kpi_order_action"),
            ("return_resolution_median", _("Return and claim resolution (median)"), "days", "lower",
             "distribution.kpi.return", "date_resolved", "resolution_days_median:median", [("is_resolved", "=", True)],
             "distribution_kpi.distribution_kpi_return_action"),
            ("backorders_created", _("Backorders still open, created in the period"), "count", "lower",
             "distribution.kpi.backorder", "date", "backorder_count:sum", [],
             "distribution_kpi.distribution_kpi_backorder_action"),
        ]

    @api.model
    def _get_period_step(self, period):
        return {"week": relativedelta(weeks=1), "month": relativedelta(months=1), "quarter": relativedelta(months=3)}[
            period
        ]

    @api.model
    def _get_history_starts(self, period, date_ref=None, count=HISTORY_PERIODS):
        """The first day (as a datetime) of the ``count`` periods ending with the current one, oldest first."""
        current_start = self._get_period_bounds(period, date_ref)[0]
        step = self._get_period_step(period)
        return [current_start - step * index for index in range(count - 1, -1, -1)]

    @api.model
    def _get_reads(self):
        """{(report model, date field, domain repr): (domain, [aggregates])}: the KPIs read together, one query
        per report, date field and domain with every aggregate of that report in it."""
        reads = {}
        for _key, _label, _unit, _better, model, date_field, aggregate, domain, _action in self._kpi_definitions():
            reads.setdefault((model, date_field, repr(domain)), (domain, []))[1].append(aggregate)
        return reads

    @api.model
    def get_dashboard_data(self, period="month", date_ref=None):
        """The dashboard's table: each KPI for the current period (to date) and the previous one, with the
        company's target, plus the snapshot figures (open backorders by age, orders at risk) that have no
        period. The last 12 periods of each KPI come from ``get_dashboard_history``, which the dashboard
        loads after the table."""
        current_start, current_end, previous_start, previous_end = self._get_period_bounds(period, date_ref)
        values = {}
        # One read per report, date field and period (grouping by the period instead would follow the
        # language's first day of the week).
        for (model, date_field, domain_key), (domain, aggregates) in self._get_reads().items():
            for which, start, end in (("current", current_start, current_end),
                                      ("previous", previous_start, previous_end)):
                [(*results, count)] = self.env[model]._read_group(
                    [(date_field, ">=", start), (date_field, "<", end)] + domain, [], aggregates + ["__count"]
                )
                for aggregate, value in zip(aggregates, results, strict=False):
                    values[(model, date_field, domain_key, aggregate, which)] = (
                        value if count and value is not False else None
                    )
        company = self.env.company
        targets = self.env["distribution.kpi.target"]._get_targets(company)
        Target = self.env["distribution.kpi.target"]
        rows = []
        for key, label, unit, better, model, date_field, aggregate, domain, action in self._kpi_definitions():
            current, previous = (values.get((model, date_field, repr(domain), aggregate, which))
                                 for which in ("current", "previous"))
            target = targets.get(key)
            rows.append({
                "key": key, "label": label, "unit": unit, "better": better, "current": current,
                "previous": previous, "trend": self._trend(current, previous, better), "action": action,
                "model": model, "date_field": date_field,
                "target": target, "status": Target._get_status(current, target, better),
            })
        backlog = self.env["distribution.kpi.backorder"]._read_group([], ["age_bucket"], ["backorder_count:sum"])
        buckets = dict(self.env["distribution.kpi.backorder"]._fields["age_bucket"]._description_selection(self.env))
        # a count, no document: inventory managers see it without reading sales orders
        at_risk = self.env["sale.order"].sudo().search_count(
            [("at_risk", "=", True), ("company_id", "in", self.env.companies.ids)]
        )
        return {
            "period": period,
            "company": company.name,
            "current": [fields.Datetime.to_string(current_start), fields.Datetime.to_string(current_end)],
            "previous": [fields.Datetime.to_string(previous_start), fields.Datetime.to_string(previous_end)],
            "current_label": self._period_label(period, current_start),
            "previous_label": self._period_label(period, previous_start),
            "kpis": rows,
            "backorder_buckets": [
                {"bucket": bucket, "label": buckets[bucket], "count": count}
                for bucket, count in sorted(backlog, key=lambda row: list(buckets).index(row[0]))
            ],
            "orders_at_risk": at_risk,
        }

    @api.model
    def get_dashboard_history(self, period="month", date_ref=None):
        """Each KPI over the last 12 periods, the current one (to date) last: {"labels": [period names],
        "kpis": {kpi key: [value or None]}}. One grouped read per report, date field and domain."""
        current_end = self._get_period_bounds(period, date_ref)[1]
        starts = self._get_history_starts(period, date_ref)
        series = {}
        for (model, date_field, domain_key), (domain, aggregates) in self._get_reads().items():
            for aggregate, values in self._read_history(
                model, date_field, domain, aggregates, period, starts, current_end
            ).items():
                series[(model, date_field, domain_key, aggregate)] = values
        return {
            "labels": [self._period_label(period, start, short=True) for start in starts],
            "kpis": {
                key: series.get((model, date_field, repr(domain), aggregate), [None] * len(starts))
                for key, _label, _unit, _better, model, date_field, aggregate, domain, _action
                in self._kpi_definitions()
            },
        }

    @api.model
    def _read_history(self, model, date_field, domain, aggregates, period, starts, end):
        """{aggregate: [value of each period starting at ``starts``]} in one grouped read. Weeks run Monday
        to Sunday, as the dashboard's (the reports' week grouping follows the period bounds here, not the
        language), and periods are cut in UTC like the current and previous ones."""
        Report = self.env[model].with_context(tz="UTC", distribution_kpi_monday_weeks=True)
        groups = Report._read_group(
            [(date_field, ">=", starts[0]), (date_field, "<", end)] + domain,
            [f"{date_field}:{period}"],
            aggregates + ["__count"],
        )
        index = {start: position for position, start in enumerate(starts)}
        series = {aggregate: [None] * len(starts) for aggregate in aggregates}
        for bucket, *results, count in groups:
            position = index.get(fields.Datetime.to_datetime(bucket))
            if position is None or not count:
                continue
            for aggregate, value in zip(aggregates, results, strict=False):
                series[aggregate][position] = value if value is not False else None
        return series

    @api.model
    def _trend(self, current, previous, better):
        if current is None or previous is None or round(current, 2) == round(previous, 2):
            return "same"
        improved = current < previous if better == "lower" else current > previous
        return "better" if improved else "worse"

    @api.model
    def _period_label(self, period, start, short=False):
        """The period in words, in the user's language: "December 2026", "Q4 2026", "Week of Nov 30, 2026"
        (short: "Dec 2026", "Q4 2026", "Nov 30")."""
        day = start.date()
        if period == "week":
            if short:
                return format_date(self.env, day, date_format="MMM d")
            return self.env._("Week of %(date)s", date=format_date(self.env, day, date_format="medium"))
        if period == "month":
            return format_date(self.env, day, date_format="MMM y" if short else "MMMM y")
        return self.env._("Q%(quarter)s %(year)s", quarter=(day.month - 1) // 3 + 1, year=day.year)

    # ------------------------------------------------------------------------------------------------
    # Weekly mail
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _get_inventory_aging(self, company):
        """Stock value by age bucket per warehouse: on-hand quants in internal locations, aged from
        their incoming date, valued at the product's cost in the company. One query."""
        self.env["stock.quant"].flush_model(["quantity", "in_date", "location_id", "product_id", "company_id"])
        bucket_sql = SQL(" ".join(
            f"WHEN age.days >= {low}" + (f" AND age.days <= {high}" if high is not None else "") + f" THEN {index}"
            for index, (low, high, _label) in enumerate(INVENTORY_BUCKETS)
        ))
        self.env.cr.execute(SQL(
            """
            SELECT location.warehouse_id,
                   CASE %(buckets)s END AS bucket,
                   SUM(quant.quantity * COALESCE((product.standard_price ->> %(company)s::text)::numeric, 0))
              FROM stock_quant quant
              JOIN stock_location location ON location.id = quant.location_id AND location.usage = 'internal'
              JOIN product_product product ON product.id = quant.product_id
              CROSS JOIN LATERAL (
                  SELECT GREATEST(%(today)s::date - COALESCE(quant.in_date, quant.create_date)::date, 0) AS days
              ) age
             WHERE quant.company_id = %(company)s AND location.warehouse_id IS NOT NULL AND quant.quantity > 0
             GROUP BY 1, 2
            """,
            buckets=bucket_sql, company=company.id, today=fields.Date.context_today(self),
        ))
        values = {}
        for warehouse_id, bucket, value in self.env.cr.fetchall():
            values.setdefault(warehouse_id, [0.0] * len(INVENTORY_BUCKETS))[bucket] = float(value or 0.0)
        warehouses = self.env["stock.warehouse"].browse(sorted(values))
        return {
            "labels": [label for _low, _high, label in INVENTORY_BUCKETS],
            "rows": [{"warehouse": warehouse.name, "values": values[warehouse.id], "total": sum(values[warehouse.id])}
                     for warehouse in warehouses],
        }

    @api.model
    def _get_margin_breakdown(self, company, start, end):
        """Gross margin of the orders confirmed in the period, by warehouse and customer class."""
        groups = self.env["distribution.kpi.order"]._read_group(
            [("company_id", "=", company.id), ("date_confirmed", ">=", start), ("date_confirmed", "<", end)],
            ["warehouse_id", "customer_class_id"],
            ["amount_untaxed:sum", "margin:sum", "margin_percent:ratio"],
        )
        return [
            {"warehouse": warehouse.name or self.env._("(none)"),
             "customer_class": customer_class.name or self.env._("(no class)"),
             "amount": amount, "margin": margin, "margin_percent": percent}
            for warehouse, customer_class, amount, margin, percent in groups
        ]

    @api.model
    def _get_weekly_recipients(self, company):
        groups = self.env.ref("sales_team.group_sale_manager") | self.env.ref("stock.group_stock_manager")
        users = self.env["res.users"].search([
            ("group_ids", "in", groups.ids), ("company_ids", "in", company.id), ("share", "=", False),
        ])
        return users.partner_id.filtered("email")

    @api.model
    def _cron_send_weekly_kpi_mail(self):
        """Monday morning: queue one job per company (channel root.distribution.digests) mailing last
        week's KPIs against the week before, inventory aging and gross margin to the company's sales and
        inventory managers. Sent once a week: a company whose mail of the week went out gets no job, a job
        still waiting is not queued twice (identity key: company and week). Returns the companies queued."""
        today = fields.Date.context_today(self)
        last_sunday = today - timedelta(days=today.weekday() + 1)
        companies = self.env["res.company"].search([]).filtered(lambda c: c.kpi_mail_last_week != last_sunday)
        for company in companies:
            self._enqueue_weekly_kpi_mail(company, last_sunday)
        return companies

    @api.model
    def _enqueue_weekly_kpi_mail(self, company, week_end):
        """Queue the KPI mail of ``company`` for the week ending on ``week_end`` (a Sunday)."""
        return (
            self.sudo()
            .with_company(company)
            .with_delay(
                description=self.env._("Weekly KPI mail of %(company)s (week to %(date)s)",
                                       company=company.name, date=week_end.isoformat()),
                identity_key=f"distribution_kpi_weekly_mail:{company.id}:{week_end.isoformat()}",
            )
            ._job_send_weekly_kpi_mail(company, week_end)
        )

    @api.model
    def _job_send_weekly_kpi_mail(self, company, week_end):
        """Job: the KPI mail of ``company`` for the week ending on ``week_end``, unless it went out already
        (``kpi_mail_last_week``) or the company has no manager with an address. Returns the mail."""
        if company.kpi_mail_last_week and company.kpi_mail_last_week >= week_end:
            return self.env["mail.mail"]
        recipients = self._get_weekly_recipients(company)
        if not recipients:
            return self.env["mail.mail"]
        mail = self._send_weekly_kpi_mail(company, recipients, week_end)
        company.sudo().kpi_mail_last_week = week_end
        return mail

    @api.model
    def _send_weekly_kpi_mail(self, company, recipients, date_ref):
        dashboard = self.with_company(company).with_context(allowed_company_ids=[company.id])
        data = dashboard.get_dashboard_data("week", date_ref)
        start, end = fields.Datetime.to_datetime(data["current"][0]), fields.Datetime.to_datetime(data["current"][1])
        values = {
            "company": company,
            "data": data,
            "inventory": dashboard._get_inventory_aging(company),
            "margins": dashboard._get_margin_breakdown(company, start, end),
            "format_kpi": dashboard._format_kpi,
            "currency": company.currency_id,
        }
        body = self.env["ir.qweb"]._render("distribution_kpi.kpi_weekly_mail_body", values)
        return self.env["mail.mail"].sudo().create({
            "subject": self.env._("%(company)s: distribution KPIs, %(period)s", company=company.name,
                                  period=data["current_label"]),
            "body_html": body,
            "email_from": company.email_formatted or self.env.user.email_formatted,
            "recipient_ids": [(6, 0, recipients.ids)],
            "auto_delete": True,
        })

    @api.model
    def _format_kpi(self, value, unit):
        if value is None:
            return "-"
        if unit == "%":
            return f"{value:.1f} %"
        if unit == "days":
            return f"{value:.1f} d"
        return f"{value:.0f}"

    # ------------------------------------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _load_demo_history(self):
        """Demo data only: the warehouse validates a few of the demo deliveries that are ready, as a
        user would (one of them a unit short, with a backorder), so that pick accuracy, fill rate and
        backorder aging have figures in a demo database."""
        admin = self.env.ref("base.user_admin")
        pickings = self.env["stock.picking"].search([
            ("picking_type_code", "=", "outgoing"), ("state", "=", "assigned"), ("sale_id", "!=", False),
            ("company_id", "=", self.env.ref("base.main_company").id),
        ], order="scheduled_date, id", limit=4).with_user(admin).with_context(skip_sms=True)
        for index, picking in enumerate(pickings):
            short = index == len(pickings) - 1 and len(pickings) > 1
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty - (1 if short and move == picking.move_ids[0] else 0)
                move.picked = True
            result = picking.button_validate()
            if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
                # pylint: disable-next=context-overridden  # the action's own context, as the web client uses it
                self.env["stock.backorder.confirmation"].with_user(admin).with_context(result["context"]).create(
                    {}
                ).process()
        return True
