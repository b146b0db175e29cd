"""19.0.1.2.0: an exception type's code is unique per company (and among the shared types) by a unique index,
`distribution_exception_type_code_company_uniq`, instead of a Python constraint that two concurrent saves
could both pass.

Before the index is made, codes a race let through twice are told apart: the type the suite raises by (the
one `_get_by_code` picks: active first, then by sequence) keeps its code, the others get their id appended
(`claim_17`), and the items of those types follow (`distribution_exception.code` is stored). They are
logged, for an administrator to merge or archive them."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        WITH ranked AS (
            SELECT id, code,
                   ROW_NUMBER() OVER (PARTITION BY code, COALESCE(company_id, 0) ORDER BY active DESC, sequence, id)
                       AS rank
              FROM distribution_exception_type
        )
        UPDATE distribution_exception_type exception_type
           SET code = exception_type.code || '_' || exception_type.id
          FROM ranked
         WHERE ranked.id = exception_type.id
           AND ranked.rank > 1
     RETURNING exception_type.id, ranked.code, exception_type.code
        """
    )
    renamed = cr.fetchall()
    if not renamed:
        return
    for type_id, old_code, new_code in renamed:
        _logger.warning(
            "Exception type %s had the code %s of another type of its company: renamed %s (merge or archive it).",
            type_id, old_code, new_code,
        )
    cr.execute(
        """
        UPDATE distribution_exception exception
           SET code = exception_type.code
          FROM distribution_exception_type exception_type
         WHERE exception.type_id = exception_type.id
           AND exception_type.id IN %s
        """,
        [tuple(type_id for type_id, _old, _new in renamed)],
    )
