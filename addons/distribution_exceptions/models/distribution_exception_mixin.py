from odoo import fields, models
from odoo.fields import Domain

from .distribution_exception import EXCEPTION_READERS, OPEN_STATES


class DistributionExceptionMixin(models.AbstractModel):
    """The exceptions of a document (an order, a transfer, a bill...): the items linked to it, how many
    are open, and the smart button that opens them in the queue.

    A model adopts it by inheriting it and naming the link of ``distribution.exception`` that points at
    its records (the inverse of ``exception_ids``)::

        class PurchaseOrder(models.Model):
            _name = "purchase.order"
            _inherit = ["purchase.order", "distribution.exception.mixin"]

            exception_ids = fields.One2many(inverse_name="purchase_order_id")

    and adds the button to its form (see views/document_views.xml). Override points:
    ``_get_exception_link_field()`` (the link, read from ``exception_ids``),
    ``_get_exception_source_domain()`` (which exceptions are this document's: counted and shown) and
    ``_get_exception_action_context()`` (how the queue opens from the document).
    """

    _name = "distribution.exception.mixin"
    _description = "Document with Distribution Exceptions (abstract)"

    # The adopting model completes it with inverse_name (the Many2one of distribution.exception).
    exception_ids = fields.One2many("distribution.exception", string="Exceptions", readonly=True)
    exception_count = fields.Integer(
        compute="_compute_exception_count",
        string="Open Exceptions",
        groups=EXCEPTION_READERS,
        help="Open exceptions of the document that the current user may see.",
    )

    def _get_exception_link_field(self):
        """Name of the field of distribution.exception that links an item to these documents."""
        link = self._fields["exception_ids"].inverse_name
        if not link:
            raise NotImplementedError(
                f"{self._name} inherits distribution.exception.mixin without naming the inverse of exception_ids."
            )
        return link

    def _get_exception_source_domain(self):
        """Domain of distribution.exception (a Domain or a list): the items of these documents, open or
        closed. The count adds the open states; the count groups by the link field."""
        return Domain(self._get_exception_link_field(), "in", self.ids)

    def _get_exception_action_context(self):
        """Context of the queue opened from one document: its open items first."""
        return {"search_default_filter_open": 1}

    def _compute_exception_count(self):
        # One grouped query for the whole batch, under the user's record rules (they count what they see).
        link = self._get_exception_link_field()
        counts = dict(
            self.env["distribution.exception"]._read_group(
                Domain(self._get_exception_source_domain()) & Domain("state", "in", OPEN_STATES), [link], ["__count"]
            )
        )
        for record in self:
            record.exception_count = counts.get(record, 0)

    def action_view_exceptions(self):
        """The exception queue filtered on this document."""
        self.ensure_one()
        action = self.env["distribution.exception"]._action_for_documents(
            list(Domain(self._get_exception_source_domain()))
        )
        action["context"] = self._get_exception_action_context()
        return action
