from odoo import api, models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _run_scheduler_tasks(self, use_new_cursor=False, company_id=False):
        if use_new_cursor:
            # The run commits as it goes: its reservation step commits smaller batches
            # (stock.move._action_assign_in_batches), on this cursor only (not the orderpoints' own).
            self = self.with_context(distribution_scheduler_cursor=id(self.env.cr))
        res = super()._run_scheduler_tasks(use_new_cursor=use_new_cursor, company_id=company_id)
        self.env["distribution.reallocation"]._run_reallocation_step(
            company_id=company_id, use_new_cursor=use_new_cursor
        )
        if use_new_cursor:
            self.env["ir.cron"]._commit_progress(1)
        return res

    @api.model
    def _get_scheduler_tasks_to_do(self):
        return super()._get_scheduler_tasks_to_do() + 1
