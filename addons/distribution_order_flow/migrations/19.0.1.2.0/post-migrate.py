"""19.0.1.2.0: the carrier departure of the transfers still to do (done and cancelled ones keep none)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    pickings = env["stock.picking"].search([("state", "not in", ("done", "cancel"))])
    env.add_to_compute(pickings._fields["distribution_carrier_departure"], pickings)
    pickings._recompute_recordset(["distribution_carrier_departure"])
