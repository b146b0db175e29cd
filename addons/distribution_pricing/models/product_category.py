from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductCategory(models.Model):
    _inherit = "product.category"

    margin_floor = fields.Float(
        string="Margin Floor (%)",
        help="Lowest margin (in % of the sale price) a sale line of this category may have without "
        "approval. Empty (0) means: use the parent category's floor, else the company default.",
    )
    margin_floor_effective = fields.Float(
        string="Effective Margin Floor (%)",
        compute="_compute_margin_floor_effective",
        help="The floor that applies: this category's, else the nearest parent's, else the company default.",
    )

    @api.depends("margin_floor", "parent_id.margin_floor")
    @api.depends_context("company")
    def _compute_margin_floor_effective(self):
        for category in self:
            category.margin_floor_effective = category._get_margin_floor(self.env.company)

    @api.constrains("margin_floor")
    def _check_margin_floor(self):
        for category in self:
            if not 0.0 <= category.margin_floor < 100.0:
                raise ValidationError(
                    _(
                        "Product category %(category)s: the margin floor must be at least 0%% and below 100%% "
                        "(got %(floor)s%%).",
                        category=category.complete_name,
                        floor=category.margin_floor,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if {"margin_floor", "parent_id"} & set(vals):
            # A floor (or a parent) changes for the whole subtree: quotations re-check their lines.
            subtree = self.search([("id", "child_of", self.ids)])
            self.env["sale.order.line"]._recheck_margin_floors([("product_id.categ_id", "in", subtree.ids)])
        return res

    def _get_margin_floor(self, company):
        """Margin floor (percent) that applies to products of this category in ``company``: the
        category's own floor, else the nearest ancestor's, else the company default. Extension point
        for per-customer or per-agreement floors. An empty category (a product without one) gets the
        company default."""
        category = self[:1]
        while category:
            if category.margin_floor:
                return category.margin_floor
            category = category.parent_id
        return company.distribution_margin_floor

    def _get_margin_floor_source(self, company):
        """Where the floor of ``_get_margin_floor`` comes from, in words: the category (own or inherited) or
        the company's default."""
        category = self[:1]
        while category:
            if category.margin_floor:
                return _("category %(category)s", category=category.complete_name)
            category = category.parent_id
        return _("%(company)s's default", company=company.name)
