from odoo import fields, models
from odoo.tools import SQL


class DistributionKpiFill(models.Model):
    """One row per goods line of a confirmed order whose first delivery is done: what that first
    delivery (the first done transfer to the customer for the order) carried of the line. A line is
    filled when its first delivery carried its whole ordered quantity."""

    _name = "distribution.kpi.fill"
    _inherit = "distribution.kpi.report"
    _description = "KPI: Fill Rate"
    _auto = False
    _order = "date desc"
    _rec_name = "order_id"
    _kpi_ratios = {
        "line_fill_rate": ("line_filled", "line_count"),
        "qty_fill_rate": ("qty_first_capped", "qty_ordered"),
    }

    order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    order_line_id = fields.Many2one("sale.order.line", string="Order Line", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    picking_id = fields.Many2one("stock.picking", string="First Delivery", readonly=True)
    date = fields.Datetime(string="First Delivery On", readonly=True)
    line_count = fields.Integer(string="Lines", readonly=True, aggregator="sum")
    line_filled = fields.Integer(string="Lines Filled", readonly=True, aggregator="sum")
    qty_ordered = fields.Float(string="Ordered Qty", readonly=True, aggregator="sum")
    qty_first = fields.Float(string="Qty in First Delivery", readonly=True, aggregator="sum")
    qty_first_capped = fields.Float(string="Qty Filled", readonly=True, aggregator="sum",
                                    help="Quantity of the first delivery, at most the ordered quantity.")
    line_fill_rate = fields.Float(string="Line Fill Rate (%)", readonly=True, aggregator="ratio", digits=(16, 1))
    qty_fill_rate = fields.Float(string="Quantity Fill Rate (%)", readonly=True, aggregator="ratio", digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """
            WITH delivered AS (
                SELECT move.sale_line_id, move.picking_id, picking.date_done, move.quantity, line.order_id
                  FROM stock_move move
                  JOIN stock_location dest ON dest.id = move.location_dest_id AND dest.usage = 'customer'
                  JOIN stock_picking picking ON picking.id = move.picking_id
                  JOIN sale_order_line line ON line.id = move.sale_line_id
                 WHERE move.state = 'done'
            ),
            first_delivery AS (
                SELECT DISTINCT ON (order_id) order_id, picking_id, date_done
                  FROM delivered
                 ORDER BY order_id, date_done, picking_id
            ),
            first_qty AS (
                SELECT delivered.sale_line_id, SUM(delivered.quantity) AS qty
                  FROM delivered
                  JOIN first_delivery fd ON fd.picking_id = delivered.picking_id
                 GROUP BY delivered.sale_line_id
            )
            SELECT line.id AS id,
                   line.id AS order_line_id,
                   line.order_id,
                   line.product_id,
                   so.company_id,
                   so.warehouse_id,
                   so.user_id,
                   partner.commercial_partner_id AS partner_id,
                   %(customer_class)s AS customer_class_id,
                   fd.picking_id,
                   fd.date_done AS date,
                   1 AS line_count,
                   (COALESCE(fq.qty, 0) >= line.product_uom_qty)::int AS line_filled,
                   line.product_uom_qty AS qty_ordered,
                   COALESCE(fq.qty, 0) AS qty_first,
                   LEAST(COALESCE(fq.qty, 0), line.product_uom_qty) AS qty_first_capped,
                   100.0 * (COALESCE(fq.qty, 0) >= line.product_uom_qty)::int AS line_fill_rate,
                   100.0 * LEAST(COALESCE(fq.qty, 0), line.product_uom_qty) / line.product_uom_qty AS qty_fill_rate
              FROM first_delivery fd
              JOIN sale_order so ON so.id = fd.order_id
              JOIN sale_order_line line ON line.order_id = so.id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id AND template.type = 'consu'
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
              LEFT JOIN first_qty fq ON fq.sale_line_id = line.id
             WHERE so.state = 'sale' AND line.display_type IS NULL AND line.product_uom_qty > 0
            """,
            customer_class=self._customer_class_sql("commercial", "so.company_id"),
        )
