"""Helpers for the suite's migration scripts (used by this module's and by the modules depending on it)."""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def rename_duplicate_codes(cr, table, order_by, separator, what):
    """Tell apart the rows of ``table`` sharing a code within a company (or among the shared rows), before a
    unique index on (code, company) is made: the first by ``order_by`` (an SQL ordering of the table's
    columns) keeps its code, the others get ``separator`` and their id appended. Each renaming is logged for
    an administrator to merge or archive the rows (``what`` names them). Returns [(id, old code, new code)]."""
    cr.execute(SQL(
        """
        WITH ranked AS (
            SELECT id, code, ROW_NUMBER() OVER (PARTITION BY code, COALESCE(company_id, 0) ORDER BY %(order)s) AS rank
              FROM %(table)s
        )
        UPDATE %(table)s row_
           SET code = row_.code || %(separator)s || row_.id
          FROM ranked
         WHERE ranked.id = row_.id
           AND ranked.rank > 1
     RETURNING row_.id, ranked.code, row_.code
        """,
        order=SQL(order_by), table=SQL.identifier(table), separator=separator,
    ))
    renamed = cr.fetchall()
    for row_id, old_code, new_code in renamed:
        _logger.warning(
            "%s %s had the code %s of another of its company: renamed %s (merge or archive it).",
            what, row_id, old_code, new_code,
        )
    return renamed
