from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DistributionKpiTarget(models.Model):
    """A company's target for one dashboard KPI: the dashboard colours the current figure green when it
    meets the target (at most the target for KPIs where lower is better, at least for the others), red
    when it misses it."""

    _name = "distribution.kpi.target"
    _description = "Distribution KPI Target"
    _order = "company_id, kpi"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    kpi = fields.Selection(selection="_get_kpi_selection", string="KPI", required=True)
    target = fields.Float(required=True, help="In the KPI's unit: days, percent or a count.")
    unit = fields.Char(compute="_compute_kpi_facts")
    better = fields.Selection(
        [("lower", "Lower is better"), ("higher", "Higher is better")], compute="_compute_kpi_facts"
    )

    _unique_kpi = models.UniqueIndex("(company_id, kpi)", "A KPI has one target per company.")

    @api.model
    def _get_kpi_selection(self):
        return [(key, label) for key, label, *_rest in self.env["distribution.kpi.dashboard"]._kpi_definitions()]

    @api.model
    def _get_kpi_facts(self):
        """{kpi key: (unit, better)} from the dashboard's definitions."""
        return {key: (unit, better) for key, _label, unit, better, *_rest
                in self.env["distribution.kpi.dashboard"]._kpi_definitions()}

    @api.depends("kpi")
    def _compute_kpi_facts(self):
        facts = self._get_kpi_facts()
        for target in self:
            target.unit, target.better = facts.get(target.kpi, (False, False))

    @api.constrains("kpi", "target")
    def _check_target(self):
        facts = self._get_kpi_facts()
        labels = dict(self._get_kpi_selection())
        for record in self:
            unit = facts.get(record.kpi, (None, None))[0]
            if record.target < 0 or (unit == "%" and record.target > 100):
                raise ValidationError(self.env._(
                    "KPI target of %(company)s for %(kpi)s: %(target)s is not a possible value (%(range)s).",
                    company=record.company_id.name,
                    kpi=labels.get(record.kpi, record.kpi),
                    target=record.target,
                    range=self.env._("0 to 100 %") if unit == "%" else self.env._("0 or more"),
                ))

    @api.model
    def _get_targets(self, company):
        """{kpi key: target} of ``company``."""
        return {target.kpi: target.target for target in self.search([("company_id", "=", company.id)])}

    @api.model
    def _get_status(self, value, target, better):
        """'met' or 'missed' for a KPI's ``value`` against its ``target``; None when either is missing."""
        if value is None or target is None:
            return None
        met = round(value, 2) <= round(target, 2) if better == "lower" else round(value, 2) >= round(target, 2)
        return "met" if met else "missed"
