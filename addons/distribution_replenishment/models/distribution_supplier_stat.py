from odoo import api, fields, models
from odoo.tools import SQL

from ..report.distribution_supplier_performance import RECENT_RECEIPTS


class DistributionSupplierStat(models.Model):
    """Each vendor's delivery figures in each company, stored: what other modules read where they must be
    cheap (the at-risk score of the KPI module, the vendor's form) instead of the scorecard view, which reads
    every receipt each time. Computed from the same receipts as the scorecard
    (``distribution.supplier.performance._get_receipts_query``); refreshed for a vendor when one of its
    receipts is validated (a job, out of the warehouse user's request) and for every vendor each night.
    Written by the system only, in SQL."""

    _name = "distribution.supplier.stat"
    _description = "Supplier Figures (stored)"
    _order = "company_id, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Vendor", required=True, readonly=True, index=True, ondelete="cascade",
        help="The vendor's commercial partner.",
    )
    receipt_count = fields.Integer(string="Receipts", readonly=True)
    on_time_rate = fields.Float(string="On Time (%)", readonly=True, digits=(16, 1))
    delay_days = fields.Float(
        string="Avg Delay (days)", readonly=True, digits=(16, 1),
        help="Average of (done date - expected arrival): negative is early.",
    )
    recent_delay_days = fields.Float(
        string="Avg Delay, Last 5 (days)", readonly=True, digits=(16, 1),
        help="The same over the vendor's last 5 receipts: the lead time drift compares it with the company's "
        "threshold (Purchase settings).",
    )
    fill_rate = fields.Float(string="Fill Rate (%)", readonly=True, digits=(16, 1))
    last_receipt_date = fields.Datetime(readonly=True)
    refreshed_at = fields.Datetime(string="Computed At", readonly=True)

    _company_partner_uniq = models.Constraint(
        "UNIQUE(company_id, partner_id)", "One row of figures per vendor and company."
    )

    @api.model
    def _refresh(self, vendors=None, company=None):
        """Compute the figures again from the done receipts, in one SQL statement: of ``vendors`` (any of their
        contacts: their commercial partners are measured) in ``company``, or of every vendor and company when
        not given. Rows of vendors left without any receipt are removed. Idempotent."""
        Performance = self.env["distribution.supplier.performance"]
        conditions, scope = [], []
        if vendors is not None:
            commercial_ids = vendors.commercial_partner_id.ids
            conditions.append(SQL("partner.commercial_partner_id = ANY(%s)", commercial_ids))
            scope.append(SQL("stat.partner_id = ANY(%s)", commercial_ids))
        if company is not None:
            conditions.append(SQL("po.company_id = %s", company.id))
            scope.append(SQL("stat.company_id = %s", company.id))
        where = SQL(" AND ").join(conditions) if conditions else None
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            """
            WITH receipts AS (%(receipts)s),
            closed_lines AS (%(closed_lines)s),
            figures AS (
                SELECT company_id, partner_id,
                       COUNT(*) AS receipt_count,
                       AVG(on_time) * 100 AS on_time_rate,
                       AVG(delay_days) AS delay_days,
                       AVG(delay_days) FILTER (WHERE rn_vendor <= %(recent)s) AS recent_delay_days,
                       MAX(date_done) AS last_receipt_date
                  FROM receipts GROUP BY company_id, partner_id
            ),
            fills AS (
                SELECT company_id, partner_id, AVG(fill) * 100 AS fill_rate
                  FROM closed_lines GROUP BY company_id, partner_id
            ),
            written AS (
                INSERT INTO distribution_supplier_stat AS stat
                       (company_id, partner_id, receipt_count, on_time_rate, delay_days, recent_delay_days,
                        fill_rate, last_receipt_date, refreshed_at, create_uid, create_date, write_uid, write_date)
                SELECT figures.company_id, figures.partner_id, figures.receipt_count, figures.on_time_rate,
                       figures.delay_days, figures.recent_delay_days, fills.fill_rate, figures.last_receipt_date,
                       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM figures
                  LEFT JOIN fills ON fills.company_id = figures.company_id AND fills.partner_id = figures.partner_id
                    ON CONFLICT (company_id, partner_id) DO UPDATE
                   SET receipt_count = EXCLUDED.receipt_count, on_time_rate = EXCLUDED.on_time_rate,
                       delay_days = EXCLUDED.delay_days, recent_delay_days = EXCLUDED.recent_delay_days,
                       fill_rate = EXCLUDED.fill_rate, last_receipt_date = EXCLUDED.last_receipt_date,
                       refreshed_at = EXCLUDED.refreshed_at, write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                RETURNING stat.id
            )
            DELETE FROM distribution_supplier_stat stat
             WHERE %(scope)s AND stat.id NOT IN (SELECT id FROM written)
            """,
            receipts=Performance._get_receipts_query(where),
            closed_lines=Performance._get_closed_lines_query(where),
            recent=RECENT_RECEIPTS,
            now=now,
            uid=self.env.uid,
            scope=SQL(" AND ").join(scope) if scope else SQL("TRUE"),
        ))
        self.invalidate_model()
        return True

    @api.model
    def _get_figures(self, vendors, companies):
        """{(company id, commercial partner id): figures record} of these vendors in these companies, as
        stored: one query. Read as the system (whoever reads a vendor's or an order's figures)."""
        stats = self.sudo().search_fetch(
            [("partner_id", "in", vendors.commercial_partner_id.ids), ("company_id", "in", companies.ids)],
            ["company_id", "partner_id", "receipt_count", "on_time_rate", "delay_days", "recent_delay_days",
             "fill_rate"],
        )
        return {(stat.company_id.id, stat.partner_id.id): stat for stat in stats}

    # ------------------------------------------------------------------------------------------------
    # Background work
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _enqueue_refresh(self, vendor, company):
        """Queue the refresh of ``vendor``'s figures in ``company`` (a receipt of it was validated): one job
        per vendor and company while it waits (identity key), run as the system."""
        vendor = vendor.commercial_partner_id
        return (
            self.sudo()
            .with_company(company)
            .with_delay(
                description=self.env._("Supplier figures of %(vendor)s", vendor=vendor.display_name),
                identity_key=f"distribution_supplier_stat:{company.id}:{vendor.id}",
            )
            ._job_refresh(vendor)
        )

    @api.model
    def _job_refresh(self, vendor):
        """Job: the figures of ``vendor`` in the job's company, from its receipts as they are when it runs
        (a receipt validated while it waited is counted too)."""
        return self._refresh(vendors=vendor, company=self.env.company)

    @api.model
    def _cron_refresh(self):
        """Nightly: every vendor's figures again (receipts corrected or deleted, vendors merged)."""
        return self._refresh()
