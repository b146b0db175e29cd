"""19.0.1.4.0: the vendors' figures are stored per company (`distribution.supplier.stat`) and read by
`res.partner.supplier_*` and the KPI module's at-risk score instead of the live scorecard view: the new table is
filled from the receipts already done."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["distribution.supplier.stat"]._refresh()
