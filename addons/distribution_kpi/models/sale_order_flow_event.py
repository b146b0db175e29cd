from odoo import api, models

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
        """Keep on each order the first time it reached each milestone: the KPI reports read four indexed
        columns instead of grouping every event. Events are never edited, so a milestone once set stays.
        The values go to the order through the record cache, as a computed field's would (events are
        written while the flow state is computed): they are saved with the order's own update, with no
        query of their own."""
        milestones = {}
        for event in self.sorted(lambda e: (e.date, e.id)):
            order = event.order_id
            reached = milestones.setdefault(order, {})
            current = {name: reached.get(name) or order[name] for name in MILESTONE_FIELDS}
            if not current["kpi_date_created"]:
                reached["kpi_date_created"] = event.date
            for name, states in (("kpi_date_confirmed", CONFIRMED_STATES), ("kpi_date_shipped", SHIPPED_STATES),
                                 ("kpi_date_invoiced", INVOICED_STATES)):
                if not current[name] and event.state_to in states:
                    reached[name] = event.date
        milestones = {order: values for order, values in milestones.items() if values}
        if not milestones:
            return
        orders = self.env["sale.order"].sudo().browse([order.id for order in milestones])
        fields_ = [orders._fields[name] for name in MILESTONE_FIELDS]
        with self.env.protecting(fields_, orders):
            for order, values in milestones.items():
                order.sudo().update(values)
