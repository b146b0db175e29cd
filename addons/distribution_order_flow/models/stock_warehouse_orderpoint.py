from odoo import models


class StockWarehouseOrderpoint(models.Model):
    _inherit = "stock.warehouse.orderpoint"

    def _procure_orderpoint_confirm(self, use_new_cursor=False, company_id=None, raise_user_error=True):
        # The scheduler (stock.rule._run_scheduler_tasks) computes these orderpoints' quantities in its own
        # transaction, then procures them in batches that each run and commit in a transaction of their own
        # and update the same rows. The scheduler's values would be written at its next commit, after
        # theirs, from a snapshot that predates them: under REPEATABLE READ that write fails to serialize
        # and the scheduler run is lost (seen on any database where an orderpoint is procured). The
        # scheduler commits between its steps anyway; it commits its computed quantities here first.
        if use_new_cursor:
            self.env.cr.commit()  # pylint: disable=invalid-commit  # the scheduler's own step, see above
        return super()._procure_orderpoint_confirm(
            use_new_cursor=use_new_cursor, company_id=company_id, raise_user_error=raise_user_error
        )
