import logging
import re

from odoo import api, fields, models
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

# A job whose database connection went away under it (its connection terminated, PostgreSQL restarted or
# failed over, the worker's socket cut): not the job's fault, and queue_job only retries serialization
# failures, so it is left failed.
LOST_CONNECTION_ERRORS = ("psycopg2.InterfaceError", "psycopg2.OperationalError")
LOST_CONNECTION_MESSAGE = re.compile(
    r"(?i)cursor already closed|connection already closed|terminating connection|server closed the connection"
    r"|could not connect to server|connection to server .* failed|SSL connection has been closed"
)
SUITE_CHANNEL = "root.distribution"


class QueueJob(models.Model):
    _inherit = "queue.job"

    distribution_requeue_count = fields.Integer(
        string="Queued Again After a Lost Connection",
        readonly=True,
        copy=False,
        help="How many times the suite queued this job again because its database connection was lost.",
    )

    @api.model
    def _get_lost_connection_domain(self, max_requeues):
        return Domain([
            ("state", "=", "failed"),
            "|", ("channel", "=", SUITE_CHANNEL), ("channel", "=like", f"{SUITE_CHANNEL}.%"),
            ("exc_name", "in", LOST_CONNECTION_ERRORS),
            ("distribution_requeue_count", "<", max_requeues),
        ])

    @api.model
    def _cron_requeue_lost_connection_jobs(self, max_requeues=3):
        """Every 5 minutes: the suite's jobs (channels under root.distribution) that failed because their
        database connection was lost are queued again, at most ``max_requeues`` times each. Every suite job is
        safe to run again: it checks what is still to do when it runs (reserve what waits, invoice what is
        not invoiced, plan, refresh figures). A job that failed for any other reason stays failed for a
        manager to look at. Returns the jobs queued again."""
        jobs = self.sudo().search(self._get_lost_connection_domain(max_requeues), order="id")
        jobs = jobs.filtered(lambda job: LOST_CONNECTION_MESSAGE.search(job.exc_message or ""))
        if not jobs:
            return jobs
        for count, group in jobs.grouped("distribution_requeue_count").items():
            group.write({"distribution_requeue_count": count + 1})
        jobs.requeue()
        _logger.info("Queued again %s job(s) that had lost their database connection: %s", len(jobs), jobs.ids)
        return jobs
