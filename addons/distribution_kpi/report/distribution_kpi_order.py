from odoo import fields, models
from odoo.tools import SQL


class DistributionKpiOrder(models.Model):
    """One row per confirmed sales order, its milestones read from its flow events (the first time
    it reached each state, kept on the order as the events are written): order cycle time (confirmation
    to fully shipped; quotation to invoiced), invoice lag (fully shipped to invoiced, invoice posted) and
    the order's gross margin."""

    _name = "distribution.kpi.order"
    _inherit = "distribution.kpi.report"
    _description = "KPI: Order Cycle and Invoice Lag"
    _auto = False
    _order = "date_confirmed desc"
    _rec_name = "order_id"
    _kpi_ratios = {"margin_percent": ("margin", "amount_untaxed")}

    order_id = fields.Many2one("sale.order", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    date_quotation = fields.Datetime(string="Quoted On", readonly=True)
    date_confirmed = fields.Datetime(string="Confirmed On", readonly=True)
    date_shipped = fields.Datetime(string="Fully Shipped On", readonly=True)
    date_invoiced = fields.Datetime(string="Invoiced On", readonly=True)
    is_shipped = fields.Boolean(string="Fully Shipped", readonly=True)
    is_invoiced = fields.Boolean(string="Invoiced", readonly=True)
    ship_days = fields.Float(string="Cycle: Confirmed to Shipped (days, avg)", readonly=True, aggregator="avg",
                             digits=(16, 2))
    ship_days_median = fields.Float(string="Cycle: Confirmed to Shipped (days, median)", readonly=True,
                                    aggregator="median", digits=(16, 2))
    ship_days_p90 = fields.Float(string="Cycle: Confirmed to Shipped (days, p90)", readonly=True, aggregator="p90",
                                 digits=(16, 2))
    quote_to_invoice_days = fields.Float(string="Cycle: Quotation to Invoiced (days, avg)", readonly=True,
                                         aggregator="avg", digits=(16, 2))
    quote_to_invoice_days_median = fields.Float(string="Cycle: Quotation to Invoiced (days, median)", readonly=True,
                                                aggregator="median", digits=(16, 2))
    quote_to_invoice_days_p90 = fields.Float(string="Cycle: Quotation to Invoiced (days, p90)", readonly=True,
                                             aggregator="p90", digits=(16, 2))
    invoice_lag_days = fields.Float(string="Invoice Lag (days, avg)", readonly=True, aggregator="avg", digits=(16, 2))
    invoice_lag_days_median = fields.Float(string="Invoice Lag (days, median)", readonly=True, aggregator="median",
                                           digits=(16, 2))
    invoice_lag_days_p90 = fields.Float(string="Invoice Lag (days, p90)", readonly=True, aggregator="p90",
                                        digits=(16, 2))
    amount_untaxed = fields.Float(string="Untaxed Amount (company currency)", readonly=True, aggregator="sum")
    margin = fields.Float(string="Margin (company currency)", readonly=True, aggregator="sum")
    margin_percent = fields.Float(string="Margin (%)", readonly=True, aggregator="ratio", digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.company_id,
                   so.warehouse_id,
                   so.user_id,
                   so.team_id,
                   partner.commercial_partner_id AS partner_id,
                   %(customer_class)s AS customer_class_id,
                   so.kpi_date_created AS date_quotation,
                   so.kpi_date_confirmed AS date_confirmed,
                   so.kpi_date_shipped AS date_shipped,
                   so.kpi_date_invoiced AS date_invoiced,
                   so.kpi_date_shipped IS NOT NULL AS is_shipped,
                   so.kpi_date_invoiced IS NOT NULL AS is_invoiced,
                   cycle.ship_days,
                   cycle.ship_days AS ship_days_median,
                   cycle.ship_days AS ship_days_p90,
                   cycle.quote_to_invoice_days,
                   cycle.quote_to_invoice_days AS quote_to_invoice_days_median,
                   cycle.quote_to_invoice_days AS quote_to_invoice_days_p90,
                   cycle.invoice_lag_days,
                   cycle.invoice_lag_days AS invoice_lag_days_median,
                   cycle.invoice_lag_days AS invoice_lag_days_p90,
                   so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount_untaxed,
                   COALESCE(so.margin, 0) / COALESCE(NULLIF(so.currency_rate, 0), 1) AS margin,
                   CASE WHEN so.amount_untaxed <> 0 THEN 100.0 * COALESCE(so.margin, 0) / so.amount_untaxed END
                       AS margin_percent
              FROM sale_order so
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
              CROSS JOIN LATERAL (
                  SELECT EXTRACT(EPOCH FROM so.kpi_date_shipped - so.kpi_date_confirmed) / 86400.0 AS ship_days,
                         EXTRACT(EPOCH FROM so.kpi_date_invoiced - so.kpi_date_created) / 86400.0
                             AS quote_to_invoice_days,
                         GREATEST(EXTRACT(EPOCH FROM so.kpi_date_invoiced - so.kpi_date_shipped) / 86400.0, 0)
                             AS invoice_lag_days
              ) cycle
             WHERE so.state = 'sale' AND so.kpi_date_confirmed IS NOT NULL
            """,
            customer_class=self._customer_class_sql("commercial", "so.company_id"),
        )
