"""19.0.1.2.0: an exception type's code is unique per company (and among the shared types) by a unique index,
`distribution_exception_type_code_company_uniq`, instead of a Python constraint that two concurrent saves
could both pass.

Before the index is made, codes a race let through twice are told apart: the type the suite raises by (the
one `_get_by_code` picks: active first, then by sequence) keeps its code, the others get their id appended
(`claim_17`), and the items of those types follow (`distribution_exception.code` is stored). They are
logged, for an administrator to merge or archive them."""

from odoo.addons.distribution_order_flow.upgrade_utils import rename_duplicate_codes


def migrate(cr, version):
    if not version:
        return
    renamed = rename_duplicate_codes(
        cr, "distribution_exception_type", "active DESC, sequence, id", "_", "Exception type"
    )
    if not renamed:
        return
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
