from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DistributionProductSubstitute(models.Model):
    """An alternative a rep may sell instead of a product that cannot be promised, in order of
    preference."""

    _name = "distribution.product.substitute"
    _description = "Product Substitute"
    _order = "product_id, sequence, id"

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    substitute_id = fields.Many2one("product.product", required=True, ondelete="cascade")
    note = fields.Char(help="What differs (brand, pack size...), shown to the rep.")

    _unique_substitute = models.Constraint(
        "UNIQUE(product_id, substitute_id)", "A substitute is listed once per product."
    )

    @api.constrains("product_id", "substitute_id")
    def _check_not_itself(self):
        for line in self:
            if line.product_id == line.substitute_id:
                raise ValidationError(
                    self.env._("%(product)s cannot be its own substitute.", product=line.product_id.display_name)
                )
            if not line.product_id.uom_id._has_common_reference(line.substitute_id.uom_id):
                raise ValidationError(
                    self.env._(
                        "%(substitute)s cannot replace %(product)s: they are not counted in the same kind of unit.",
                        substitute=line.substitute_id.display_name,
                        product=line.product_id.display_name,
                    )
                )


class ProductProduct(models.Model):
    _inherit = "product.product"

    substitute_line_ids = fields.One2many(
        "distribution.product.substitute", "product_id", string="Substitutes (ordered)"
    )
    substitute_product_ids = fields.Many2many(
        "product.product",
        compute="_compute_substitute_product_ids",
        string="Substitutes",
        help="Alternatives to sell when this product cannot be promised, most preferred first.",
    )

    @api.depends("substitute_line_ids.sequence", "substitute_line_ids.substitute_id")
    def _compute_substitute_product_ids(self):
        for product in self:
            product.substitute_product_ids = product.substitute_line_ids.sorted(
                lambda line: (line.sequence, line.id)
            ).substitute_id

    # Re-allocation (distribution.reallocation): the button and list action of products.
    def action_reallocate(self):
        """Re-allocate the selected products' short stock in every warehouse (button and list action)."""
        self.env["distribution.reallocation"]._check_reallocation_rights()
        # The moves are read as the system (the warehouse user may not read every order), so the
        # companies are the user's own: another company's deliveries are never re-reserved from here.
        changes = self.env["distribution.reallocation"]._reallocate(self, companies=self.env.companies)
        return self._reallocation_notification(changes)

    def _reallocation_notification(self, changes):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Re-allocation"),
                "message": self.env._(
                    "%(count)s reservation(s) changed; the orders concerned say what and why.", count=len(changes)
                )
                if changes
                else self.env._("Nothing to change: stock already goes by score."),
                "type": "success" if changes else "info",
                "sticky": False,
            },
        }
