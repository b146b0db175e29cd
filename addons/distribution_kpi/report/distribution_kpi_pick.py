from odoo import fields, models
from odoo.tools import SQL


class DistributionKpiPick(models.Model):
    """One row per transfer validated since the module was installed: what its lines held when it
    was first validated (recorded at validation, before Odoo split short lines off into a
    backorder). A line is accurate when its picked quantity equalled its demand."""

    _name = "distribution.kpi.pick"
    _inherit = "distribution.kpi.report"
    _description = "KPI: Pick Accuracy"
    _auto = False
    _order = "date desc"
    _rec_name = "picking_id"
    _kpi_ratios = {
        "line_accuracy": ("exact_line_count", "line_count"),
        "qty_accuracy": ("done_qty_capped", "demand_qty"),
    }

    picking_id = fields.Many2one("stock.picking", string="Transfer", readonly=True)
    picking_type_id = fields.Many2one("stock.picking.type", string="Operation Type", readonly=True)
    picking_code = fields.Selection(
        [("incoming", "Receipt"), ("outgoing", "Delivery"), ("internal", "Internal Transfer")],
        string="Type of Operation", readonly=True,
    )
    validated_by_id = fields.Many2one("res.users", readonly=True)
    date = fields.Datetime(string="Validated On", readonly=True)
    picking_count = fields.Integer(string="Transfers", readonly=True, aggregator="sum")
    exact_picking_count = fields.Integer(string="Transfers Exact", readonly=True, aggregator="sum")
    line_count = fields.Integer(string="Lines", readonly=True, aggregator="sum")
    exact_line_count = fields.Integer(string="Lines Exact", readonly=True, aggregator="sum")
    demand_qty = fields.Float(string="Demand", readonly=True, aggregator="sum")
    done_qty = fields.Float(string="Picked", readonly=True, aggregator="sum")
    done_qty_capped = fields.Float(string="Picked (at most demand)", readonly=True, aggregator="sum")
    line_accuracy = fields.Float(string="Pick Accuracy (% lines)", readonly=True, aggregator="ratio", digits=(16, 1))
    qty_accuracy = fields.Float(string="Pick Accuracy (% quantity)", readonly=True, aggregator="ratio",
                                digits=(16, 1))

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT picking.id AS id,
                   picking.id AS picking_id,
                   picking.picking_type_id,
                   ptype.code AS picking_code,
                   picking.company_id,
                   ptype.warehouse_id,
                   so.user_id,
                   commercial.id AS partner_id,
                   %(customer_class)s AS customer_class_id,
                   picking.pick_validated_by_id AS validated_by_id,
                   picking.date_done AS date,
                   1 AS picking_count,
                   (picking.pick_exact_line_count = picking.pick_line_count)::int AS exact_picking_count,
                   picking.pick_line_count AS line_count,
                   picking.pick_exact_line_count AS exact_line_count,
                   picking.pick_demand_qty AS demand_qty,
                   picking.pick_done_qty AS done_qty,
                   LEAST(picking.pick_done_qty, picking.pick_demand_qty) AS done_qty_capped,
                   100.0 * picking.pick_exact_line_count / picking.pick_line_count AS line_accuracy,
                   100.0 * LEAST(picking.pick_done_qty, picking.pick_demand_qty) / NULLIF(picking.pick_demand_qty, 0)
                       AS qty_accuracy
              FROM stock_picking picking
              JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
              LEFT JOIN sale_order so ON so.id = picking.sale_id
              LEFT JOIN res_partner partner ON partner.id = picking.partner_id
              LEFT JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
             WHERE picking.state = 'done' AND picking.pick_line_count > 0
            """,
            customer_class=self._customer_class_sql("commercial", "picking.company_id"),
        )
