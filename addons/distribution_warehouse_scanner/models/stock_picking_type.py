from odoo import api, fields, models

from .stock_picking import AT_RISK_MARGIN, SCANNER_OPEN_STATES

SCANNER_CODES = ("incoming", "outgoing", "internal")


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    @api.model
    def scanner_home(self):
        """The scanner's home screen: the operation types of the user's companies with transfers to do,
        counted as ready, waiting and late (one grouped read per figure)."""
        types = self.search([("code", "in", SCANNER_CODES)], order="sequence, id")
        Picking = self.env["stock.picking"]
        base = [("picking_type_id", "in", types.ids), ("state", "in", SCANNER_OPEN_STATES)]
        by_state = Picking._read_group(base, ["picking_type_id", "state"], ["__count"])
        ready, waiting = {}, {}
        for picking_type, state, count in by_state:
            target = ready if state == "assigned" else waiting
            target[picking_type.id] = target.get(picking_type.id, 0) + count
        now = fields.Datetime.now()
        late_domain = base + [
            "|", "|",
            ("scheduled_date", "<", now),
            ("date_deadline", "<", now),
            ("distribution_carrier_departure", "<", now + AT_RISK_MARGIN),
        ]
        late = dict(Picking._read_group(late_domain, ["picking_type_id"], ["__count"]))
        late = {picking_type.id: count for picking_type, count in late.items()}
        return [
            {
                "id": picking_type.id,
                "name": picking_type.name,
                "warehouse": picking_type.warehouse_id.name or "",
                "company": picking_type.company_id.name,
                "code": picking_type.code,
                "ready": ready.get(picking_type.id, 0),
                "waiting": waiting.get(picking_type.id, 0),
                "late": late.get(picking_type.id, 0),
            }
            for picking_type in types
            if ready.get(picking_type.id) or waiting.get(picking_type.id) or picking_type.code != "internal"
        ]
