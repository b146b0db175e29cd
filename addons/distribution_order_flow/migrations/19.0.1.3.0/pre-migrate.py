"""19.0.1.3.0: a customer class's code is unique per company (and among the shared classes) by a unique
index, `distribution_customer_class_code_company_uniq`, instead of a Python constraint that two concurrent
saves could both pass.

Before the index is made, codes a race let through twice are told apart: the first class (active first,
then the oldest) keeps its code, the others get their id appended (`RETAIL-17`); partners keep their class.
They are logged, for an administrator to merge or archive them."""

from odoo.addons.distribution_order_flow.upgrade_utils import rename_duplicate_codes


def migrate(cr, version):
    if not version:
        return
    rename_duplicate_codes(cr, "distribution_customer_class", "active DESC, id", "-", "Customer class")
