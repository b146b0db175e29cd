from odoo import api, fields, models
from odoo.tools import SQL

RECENT_RECEIPTS = 5
# Receipts before the recent ones needed to tell a deterioration (a history to compare with).
MIN_HISTORY_RECEIPTS = 5


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
    recent_lead_days = fields.Float(
        string="Actual Lead, Last 5 (days)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Average days from order approval to receipt over the last 5 receipts.",
    )
    history_delay_days = fields.Float(
        string="Avg Delay Before (days)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Average delay of the receipts before the last 5: the history the recent ones are compared with.",
    )
    history_receipt_count = fields.Integer(string="Receipts Before", readonly=True)
    lead_deteriorating = fields.Boolean(
        string="Lead Time Deteriorating",
        readonly=True,
        help="The last 5 receipts came on average later than the vendor's earlier receipts (at least 5 of them) "
        "by at least the company's drift threshold: the buyer gets an activity on the vendor, and the planner "
        "plans with the recent lead time where it is longer than the promised one.",
    )

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
                       MAX(date_done) AS last_receipt_date,
                       AVG(actual_lead) FILTER (WHERE rn_product <= %(recent)s) AS recent_lead_days,
                       AVG(delay_days) FILTER (WHERE rn_product > %(recent)s) AS history_delay_days,
                       COUNT(*) FILTER (WHERE rn_product > %(recent)s) AS history_receipt_count
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
                       MAX(date_done) AS last_receipt_date,
                       AVG(actual_lead) FILTER (WHERE rn_vendor <= %(recent)s) AS recent_lead_days,
                       AVG(delay_days) FILTER (WHERE rn_vendor > %(recent)s) AS history_delay_days,
                       COUNT(*) FILTER (WHERE rn_vendor > %(recent)s) AS history_receipt_count
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
                   COALESCE(stats.recent_delay_days >= company.replenishment_drift_days, FALSE) AS lead_drift,
                   COALESCE(stats.history_receipt_count >= %(min_history)s
                            AND stats.recent_delay_days - stats.history_delay_days
                                >= GREATEST(company.replenishment_drift_days, 0.01), FALSE) AS lead_deteriorating
              FROM stats
              JOIN res_company company ON company.id = stats.company_id
              LEFT JOIN fills ON fills.company_id = stats.company_id AND fills.partner_id = stats.partner_id
                             AND fills.product_id IS NOT DISTINCT FROM stats.product_id
            """,
            receipts=self._get_receipts_query(),
            closed_lines=self._get_closed_lines_query(),
            recent=RECENT_RECEIPTS,
            min_history=MIN_HISTORY_RECEIPTS,
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

    def _get_deteriorated_lead_days(self, pairs, company):
        """{(vendor, product): {lead, delay}} for the pairs whose vendor's lead time is deteriorating in
        ``company`` (``lead_deteriorating``): lead, the product's own average lead time over its last receipts
        from the vendor (None without any), and delay, the vendor's average delay over its last receipts
        (the planner adds it to the promised lead time). Two queries."""
        vendors = {vendor.id for vendor, _product in pairs}
        if not vendors:
            return {}
        self.env.flush_all()  # the view reads receipts and the company's threshold from the database
        self.invalidate_model()  # a live view, never stale
        deteriorating = self.search_read(
            [("company_id", "=", company.id), ("partner_id", "in", list(vendors)), ("product_id", "=", False),
             ("lead_deteriorating", "=", True)],
            ["partner_id", "recent_delay_days"],
        )
        if not deteriorating:
            return {}
        delay_by_vendor = {row["partner_id"][0]: row["recent_delay_days"] for row in deteriorating}
        rows = self.search_read(
            [("company_id", "=", company.id), ("partner_id", "in", list(delay_by_vendor)), ("product_id", "!=", False)],
            ["partner_id", "product_id", "recent_lead_days"],
        )
        recent = {(row["partner_id"][0], row["product_id"][0]): row["recent_lead_days"] for row in rows}
        return {
            (vendor, product): {"lead": recent.get((vendor.id, product.id)), "delay": delay_by_vendor[vendor.id]}
            for vendor, product in pairs
            if vendor.id in delay_by_vendor
        }

    @api.model
    def _cron_check_lead_deterioration(self):
        """Daily: one activity for the buyer per vendor and company whose lead time is deteriorating (the
        vendor's buyer, else the buyer of its last purchase order), found again by
        ``mail.activity.distribution_lead_company_id`` so that later runs add none; marked done, with a note
        on the vendor, once the vendor's recent receipts are back in line."""
        self = self.sudo()
        self.env.flush_all()
        self.invalidate_model()
        rows = self.search_read([("product_id", "=", False)],
                                ["company_id", "partner_id", "lead_deteriorating", "recent_delay_days",
                                 "history_delay_days"])
        deteriorating = {(row["partner_id"][0], row["company_id"][0]): row for row in rows if row["lead_deteriorating"]}
        Activity = self.env["mail.activity"].sudo()
        open_activities = Activity.search([("res_model", "=", "res.partner"),
                                           ("distribution_lead_company_id", "!=", False)])
        seen = set()
        for activity in open_activities:
            key = (activity.res_id, activity.distribution_lead_company_id.id)
            if key in deteriorating and key not in seen:
                seen.add(key)
                continue
            activity.action_feedback(feedback=self.env._("Lead time back in line: the last receipts are no longer "
                                                         "later than the vendor's history."))
        todo = [key for key in deteriorating if key not in seen]
        if not todo:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        vendors = self.env["res.partner"].browse(sorted({vendor_id for vendor_id, _company_id in todo}))
        companies = self.env["res.company"].browse(sorted({company_id for _vendor_id, company_id in todo}))
        last_orders = self.env["purchase.order"].sudo().search(
            [("partner_id", "child_of", vendors.ids), ("company_id", "in", companies.ids), ("user_id", "!=", False)],
            order="date_order desc, id desc",
        )
        last_buyer = {}
        for order in last_orders:
            last_buyer.setdefault((order.partner_id.commercial_partner_id.id, order.company_id.id), order.user_id)
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for vendor_id, company_id in todo:
            row = deteriorating[(vendor_id, company_id)]
            vendor = vendors.browse(vendor_id)
            buyer = vendor.buyer_id or last_buyer.get((vendor_id, company_id))
            if not buyer:
                continue
            vals_list.append({
                "res_model_id": model_id,
                "res_id": vendor_id,
                "activity_type_id": activity_type.id if activity_type else False,
                "summary": self.env._("Lead time deteriorating at %(company)s",
                                      company=companies.browse(company_id).name),
                "note": self.env._(
                    "The last %(count)s receipts from %(vendor)s came %(recent).1f days late on average, against "
                    "%(before).1f days before: the planner plans its purchases with the recent lead time.",
                    count=RECENT_RECEIPTS, vendor=vendor.name, recent=row["recent_delay_days"],
                    before=row["history_delay_days"],
                ),
                "distribution_lead_company_id": company_id,
                "user_id": buyer.id,
                "date_deadline": fields.Date.context_today(self),
            })
        if vals_list:
            Activity.create(vals_list)
