from odoo import fields, models
from odoo.tools import SQL

AGE_BUCKETS = [
    ("0_2", "0-2 days"),
    ("3_7", "3-7 days"),
    ("8_14", "8-14 days"),
    ("15_30", "15-30 days"),
    ("30_plus", "Over 30 days"),
]


class DistributionKpiBackorder(models.Model):
    """One row per open backorder (a delivery created from a short validation, not done nor
    cancelled), aged from that short validation (when the customer's goods were first held back)
    to now."""

    _name = "distribution.kpi.backorder"
    _inherit = "distribution.kpi.report"
    _description = "KPI: Backorder Aging"
    _auto = False
    _order = "age_days desc"
    _rec_name = "picking_id"

    picking_id = fields.Many2one("stock.picking", string="Backorder", readonly=True)
    picking_type_id = fields.Many2one("stock.picking.type", string="Operation Type", readonly=True)
    sale_order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    date = fields.Datetime(string="Backordered On", readonly=True)
    scheduled_date = fields.Datetime(string="Scheduled On", readonly=True)
    age_days = fields.Float(string="Age (days, avg)", readonly=True, aggregator="avg", digits=(16, 1))
    age_days_max = fields.Float(string="Age (days, oldest)", readonly=True, aggregator="max", digits=(16, 1))
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)
    qty_open = fields.Float(string="Open Quantity", readonly=True, aggregator="sum")
    backorder_count = fields.Integer(string="Backorders", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        now = fields.Datetime.now()  # a parameter, not SQL's now(): the age follows Odoo's clock
        return SQL(
            """
            SELECT picking.id AS id,
                   picking.id AS picking_id,
                   picking.picking_type_id,
                   picking.company_id,
                   ptype.warehouse_id,
                   picking.sale_id AS sale_order_id,
                   so.user_id,
                   commercial.id AS partner_id,
                   %(customer_class)s AS customer_class_id,
                   COALESCE(parent.date_done, picking.create_date) AS date,
                   picking.scheduled_date,
                   age.days AS age_days,
                   age.days AS age_days_max,
                   CASE WHEN age.days < 3 THEN '0_2' WHEN age.days < 8 THEN '3_7' WHEN age.days < 15 THEN '8_14'
                        WHEN age.days <= 30 THEN '15_30' ELSE '30_plus' END AS age_bucket,
                   (SELECT COALESCE(SUM(move.product_qty), 0) FROM stock_move move
                     WHERE move.picking_id = picking.id AND move.state NOT IN ('done', 'cancel')) AS qty_open,
                   1 AS backorder_count
              FROM stock_picking picking
              JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id AND ptype.code = 'outgoing'
              LEFT JOIN stock_picking parent ON parent.id = picking.backorder_id
              LEFT JOIN sale_order so ON so.id = picking.sale_id
              LEFT JOIN res_partner partner ON partner.id = picking.partner_id
              LEFT JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
              CROSS JOIN LATERAL (
                  SELECT EXTRACT(EPOCH FROM %(now)s - COALESCE(parent.date_done, picking.create_date)) / 86400.0 AS days
              ) age
             WHERE picking.backorder_id IS NOT NULL AND picking.state NOT IN ('done', 'cancel')
            """,
            now=now,
            customer_class=self._customer_class_sql("commercial", "picking.company_id"),
        )
