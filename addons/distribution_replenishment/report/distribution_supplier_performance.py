from odoo import api, fields, models
from odoo.tools import SQL

RECENT_RECEIPTS = 5


class DistributionSupplierPerformance(models.Model):
    """How vendors actually deliver, read live from done receipts of purchase orders: per vendor x
    product and per vendor (rows without product). A receipt is a done move from a vendor location
    linked to a purchase line; it is on time when done on or before the line's expected arrival date.
    The trend and the drift compare the last 5 receipts with all of them.

    A report: it reads every receipt each time. What other modules read on their hot paths is the stored
    per-vendor figures of ``distribution.supplier.stat``, computed from the same receipts."""

    _name = "distribution.supplier.performance"
    _description = "Supplier Performance"
    _auto = False
    _order = "partner_id, product_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    product_id = fields.Many2one(
        "product.product", readonly=True, help="Empty: all products of the vendor."
    )
    receipt_count = fields.Integer(string="Receipts", readonly=True)
    on_time_rate = fields.Float(string="On Time (%)", readonly=True, aggregator="avg", digits=(16, 1))
    recent_on_time_rate = fields.Float(string="On Time, Last 5 (%)", readonly=True, aggregator="avg", digits=(16, 1))
    promised_lead_days = fields.Float(string="Promised Lead (days)", readonly=True, aggregator="avg", digits=(16, 1))
    actual_lead_days = fields.Float(string="Actual Lead (days)", readonly=True, aggregator="avg", digits=(16, 1))
    delay_days = fields.Float(
        string="Avg Delay (days)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Average of (done date - expected arrival): negative is early.",
    )
    recent_delay_days = fields.Float(string="Avg Delay, Last 5 (days)", readonly=True, aggregator="avg", digits=(16, 1))
    fill_rate = fields.Float(
        string="Fill Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Received / ordered quantity on purchase lines whose receipts are all done or cancelled.",
    )
    trend = fields.Selection(
        [("improving", "Improving"), ("stable", "Stable"), ("worsening", "Worsening")],
        readonly=True,
        help="Last 5 receipts against all: more than a day less (improving) or more (worsening) delay.",
    )
    lead_drift = fields.Boolean(
        string="Lead Time Drift",
        readonly=True,
        help="The last 5 receipts were on average later than promised by at least the company's drift "
        "threshold (Purchase settings).",
    )
    last_receipt_date = fields.Datetime(readonly=True)

    @api.model
    def _get_receipts_query(self, where=None):
        """One row per receipt: a done move from a vendor location linked to a purchase line, with its
        company, vendor (commercial partner), product, date, whether it was on time (done on or before the
        line's expected arrival day), its delay and lead times, and its rank among the vendor's (and the
        vendor x product's) receipts, latest first. ``where``: an SQL condition on the aliases ``move``,
        ``line``, ``po``, ``partner``. Shared by this scorecard and the stored figures
        (``distribution.supplier.stat``), so that both count the same receipts the same way."""
        return SQL(
            """
            SELECT po.company_id,
                   partner.commercial_partner_id AS partner_id,
                   move.product_id,
                   move.date AS date_done,
                   (move.date::date <= line.date_planned::date)::int AS on_time,
                   EXTRACT(EPOCH FROM (move.date - line.date_planned)) / 86400.0 AS delay_days,
                   EXTRACT(EPOCH FROM (move.date - COALESCE(po.date_approve, po.date_order))) / 86400.0
                       AS actual_lead,
                   EXTRACT(EPOCH FROM (line.date_planned - COALESCE(po.date_approve, po.date_order))) / 86400.0
                       AS promised_lead,
                   ROW_NUMBER() OVER (PARTITION BY po.company_id, partner.commercial_partner_id, move.product_id
                                      ORDER BY move.date DESC, move.id DESC) AS rn_product,
                   ROW_NUMBER() OVER (PARTITION BY po.company_id, partner.commercial_partner_id
                                      ORDER BY move.date DESC, move.id DESC) AS rn_vendor
              FROM stock_move move
              JOIN purchase_order_line line ON line.id = move.purchase_line_id
              JOIN purchase_order po ON po.id = line.order_id
              JOIN res_partner partner ON partner.id = po.partner_id
              JOIN stock_location source ON source.id = move.location_id
             WHERE move.state = 'done' AND source.usage = 'supplier' %s
            """,
            SQL("AND %s", where) if where else SQL(),
        )

    @api.model
    def _get_closed_lines_query(self, where=None):
        """One row per purchase line whose receipts are all done or cancelled, with its fill (received /
        ordered, at most 1). ``where``: an SQL condition on the aliases ``line``, ``po``, ``partner``."""
        return SQL(
            """
            SELECT po.company_id,
                   partner.commercial_partner_id AS partner_id,
                   line.product_id,
                   LEAST(line.qty_received / line.product_qty, 1.0) AS fill
              FROM purchase_order_line line
              JOIN purchase_order po ON po.id = line.order_id
              JOIN res_partner partner ON partner.id = po.partner_id
             WHERE po.state = 'purchase' AND line.product_qty > 0 AND line.display_type IS NULL
               AND EXISTS (SELECT 1 FROM stock_move m WHERE m.purchase_line_id = line.id)
               AND NOT EXISTS (SELECT 1 FROM stock_move m WHERE m.purchase_line_id = line.id
                               AND m.state NOT IN ('done', 'cancel')) %s
            """,
            SQL("AND %s", where) if where else SQL(),
        )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH receipts AS (%(receipts)s),
            closed_lines AS (%(closed_lines)s),
            per_product AS (
                SELECT company_id, partner_id, product_id,
                       COUNT(*) AS receipt_count,
                       AVG(on_time) * 100 AS on_time_rate,
                       AVG(on_time) FILTER (WHERE rn_product <= %(recent)s) * 100 AS recent_on_time_rate,
                       AVG(promised_lead) AS promised_lead_days,
                       AVG(actual_lead) AS actual_lead_days,
                       AVG(delay_days) AS delay_days,
                       AVG(delay_days) FILTER (WHERE rn_product <= %(recent)s) AS recent_delay_days,
                       MAX(date_done) AS last_receipt_date
                  FROM receipts GROUP BY company_id, partner_id, product_id
            ),
            per_vendor AS (
                SELECT company_id, partner_id, NULL::int AS product_id,
                       COUNT(*) AS receipt_count,
                       AVG(on_time) * 100 AS on_time_rate,
                       AVG(on_time) FILTER (WHERE rn_vendor <= %(recent)s) * 100 AS recent_on_time_rate,
                       AVG(promised_lead) AS promised_lead_days,
                       AVG(actual_lead) AS actual_lead_days,
                       AVG(delay_days) AS delay_days,
                       AVG(delay_days) FILTER (WHERE rn_vendor <= %(recent)s) AS recent_delay_days,
                       MAX(date_done) AS last_receipt_date
                  FROM receipts GROUP BY company_id, partner_id
            ),
            fills AS (
                SELECT company_id, partner_id, product_id, AVG(fill) * 100 AS fill_rate
                  FROM closed_lines
                 GROUP BY GROUPING SETS ((company_id, partner_id, product_id), (company_id, partner_id))
            ),
            stats AS (SELECT * FROM per_product UNION ALL SELECT * FROM per_vendor)
            SELECT ROW_NUMBER() OVER (ORDER BY stats.company_id, stats.partner_id, stats.product_id NULLS FIRST) AS id,
                   stats.*,
                   fills.fill_rate,
                   CASE WHEN stats.recent_delay_days - stats.delay_days > 1 THEN 'worsening'
                        WHEN stats.recent_delay_days - stats.delay_days < -1 THEN 'improving'
                        ELSE 'stable' END AS trend,
                   COALESCE(stats.recent_delay_days >= company.replenishment_drift_days, FALSE) AS lead_drift
              FROM stats
              JOIN res_company company ON company.id = stats.company_id
              LEFT JOIN fills ON fills.company_id = stats.company_id AND fills.partner_id = stats.partner_id
                             AND fills.product_id IS NOT DISTINCT FROM stats.product_id
            """,
            receipts=self._get_receipts_query(),
            closed_lines=self._get_closed_lines_query(),
            recent=RECENT_RECEIPTS,
        )

    def _get_observed_lead_days(self, pairs, company):
        """{(vendor, product): actual lead days} of the last receipts, for the planner's observed lead
        times; a vendor's overall figure where the product has no receipt of its own. One query."""
        vendors = {vendor.id for vendor, _product in pairs}
        if not vendors:
            return {}
        self.invalidate_model()  # a live view, never stale
        rows = self.search_read(
            [("company_id", "=", company.id), ("partner_id", "in", list(vendors))],
            ["partner_id", "product_id", "actual_lead_days"],
        )
        per_product = {
            (r["partner_id"][0], r["product_id"] and r["product_id"][0]): r["actual_lead_days"] for r in rows
        }
        result = {}
        for vendor, product in pairs:
            lead = per_product.get((vendor.id, product.id), per_product.get((vendor.id, False)))
            if lead is not None:
                result[(vendor, product)] = lead
        return result
