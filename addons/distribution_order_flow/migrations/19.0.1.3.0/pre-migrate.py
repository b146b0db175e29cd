"""19.0.1.3.0: a customer class's code is unique per company (and among the shared classes) by a unique
index, `distribution_customer_class_code_company_uniq`, instead of a Python constraint that two concurrent
saves could both pass.

Before the index is made, codes a race let through twice are told apart: the first class (active first,
then the oldest) keeps its code, the others get their id appended (`RETAIL-17`); partners keep their class.
They are logged, for an administrator to merge or archive them."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        WITH ranked AS (
            SELECT id, code,
                   ROW_NUMBER() OVER (PARTITION BY code, COALESCE(company_id, 0) ORDER BY active DESC, id) AS rank
              FROM distribution_customer_class
        )
        UPDATE distribution_customer_class customer_class
           SET code = customer_class.code || '-' || customer_class.id
          FROM ranked
         WHERE ranked.id = customer_class.id
           AND ranked.rank > 1
     RETURNING customer_class.id, ranked.code, customer_class.code
        """
    )
    for class_id, old_code, new_code in cr.fetchall():
        _logger.warning(
            "Customer class %s had the code %s of another class of its company: renamed %s (merge or archive it).",
            class_id, old_code, new_code,
        )
