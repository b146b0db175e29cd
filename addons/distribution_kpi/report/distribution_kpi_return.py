from odoo import fields, models
from odoo.tools import SQL

RETURN_CODES = ("return", "claim")


class DistributionKpiReturn(models.Model):
    """One row per customer return or claim exception: from when it was raised to when it was
    resolved (resolved or cancelled). Open ones count with their age so far, not in the times."""

    _name = "distribution.kpi.return"
    _inherit = "distribution.kpi.report"
    _description = "KPI: Return Resolution Time"
    _auto = False
    _order = "date desc"
    _rec_name = "exception_id"
    _kpi_ratios = {"resolved_rate": ("resolved_count", "case_count")}

    exception_id = fields.Many2one("distribution.exception", readonly=True)
    type_id = fields.Many2one("distribution.exception.type", readonly=True)
    sale_order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    owner_id = fields.Many2one("res.users", readonly=True)
    date = fields.Datetime(string="Opened On", readonly=True)
    date_resolved = fields.Datetime(string="Resolved On", readonly=True)
    is_resolved = fields.Boolean(string="Resolved", readonly=True)
    case_count = fields.Integer(string="Cases", readonly=True, aggregator="sum")
    resolved_count = fields.Integer(string="Resolved Cases", readonly=True, aggregator="sum")
    resolved_rate = fields.Float(string="Resolved (%)", readonly=True, aggregator="ratio", digits=(16, 1))
    resolution_days = fields.Float(string="Resolution (days, avg)", readonly=True, aggregator="avg", digits=(16, 2))
    resolution_days_median = fields.Float(string="Resolution (days, median)", readonly=True, aggregator="median",
                                          digits=(16, 2))
    resolution_days_p90 = fields.Float(string="Resolution (days, p90)", readonly=True, aggregator="p90",
                                       digits=(16, 2))

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT exc.id AS id,
                   exc.id AS exception_id,
                   exc.type_id,
                   exc.company_id,
                   COALESCE(ptype.warehouse_id, so.warehouse_id) AS warehouse_id,
                   exc.sale_order_id,
                   so.user_id,
                   exc.user_id AS owner_id,
                   exc.partner_id,
                   %(customer_class)s AS customer_class_id,
                   exc.date_raised AS date,
                   exc.date_resolved,
                   exc.state IN ('resolved', 'cancelled') AS is_resolved,
                   1 AS case_count,
                   (exc.state IN ('resolved', 'cancelled'))::int AS resolved_count,
                   100.0 * (exc.state IN ('resolved', 'cancelled'))::int AS resolved_rate,
                   resolution.days AS resolution_days,
                   resolution.days AS resolution_days_median,
                   resolution.days AS resolution_days_p90
              FROM distribution_exception exc
              LEFT JOIN sale_order so ON so.id = exc.sale_order_id
              LEFT JOIN stock_picking picking ON picking.id = exc.picking_id
              LEFT JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
              LEFT JOIN res_partner commercial ON commercial.id = exc.partner_id
              CROSS JOIN LATERAL (
                  SELECT CASE WHEN exc.state IN ('resolved', 'cancelled')
                              THEN EXTRACT(EPOCH FROM exc.date_resolved - exc.date_raised) / 86400.0 END AS days
              ) resolution
             WHERE exc.code IN %(codes)s
            """,
            codes=RETURN_CODES,
            customer_class=self._customer_class_sql("commercial", "exc.company_id"),
        )
