from odoo import api, models
from odoo.tools import SQL

from ..hooks import CONFIRMED_STATES, INVOICED_STATES, SHIPPED_STATES

MILESTONE_FIELDS = ["kpi_date_created", "kpi_date_confirmed", "kpi_date_shipped", "kpi_date_invoiced"]


class SaleOrderFlowEvent(models.Model):
    _inherit = "sale.order.flow.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._record_order_milestones()
        return events

    def _record_order_milestones(self):
        """Keep on each order the first time it reached each milestone (created, confirmed, fully shipped,
        invoiced): the KPI reports read four indexed columns instead of grouping every event. Set once,
        as events are never edited; one query for the whole batch."""
        self.flush_recordset(["order_id", "date", "state_to"])
        self.env.cr.execute(SQL(
            """
            UPDATE sale_order so
               SET kpi_date_created = COALESCE(so.kpi_date_created, ms.created),
                   kpi_date_confirmed = COALESCE(so.kpi_date_confirmed, ms.confirmed),
                   kpi_date_shipped = COALESCE(so.kpi_date_shipped, ms.shipped),
                   kpi_date_invoiced = COALESCE(so.kpi_date_invoiced, ms.invoiced)
              FROM (SELECT order_id,
                           MIN(date) AS created,
                           MIN(date) FILTER (WHERE state_to IN %(confirmed)s) AS confirmed,
                           MIN(date) FILTER (WHERE state_to IN %(shipped)s) AS shipped,
                           MIN(date) FILTER (WHERE state_to IN %(invoiced)s) AS invoiced
                      FROM sale_order_flow_event WHERE id = ANY(%(ids)s) GROUP BY order_id) ms
             WHERE ms.order_id = so.id
               AND (so.kpi_date_created IS NULL
                    OR (so.kpi_date_confirmed IS NULL AND ms.confirmed IS NOT NULL)
                    OR (so.kpi_date_shipped IS NULL AND ms.shipped IS NOT NULL)
                    OR (so.kpi_date_invoiced IS NULL AND ms.invoiced IS NOT NULL))
            """,
            confirmed=CONFIRMED_STATES, shipped=SHIPPED_STATES, invoiced=INVOICED_STATES, ids=self.ids,
        ))
        self.order_id.invalidate_recordset(MILESTONE_FIELDS, flush=False)
