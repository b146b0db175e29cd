from odoo import api, fields, models


class DistributionSubstituteWizard(models.TransientModel):
    _name = "distribution.substitute.wizard"
    _description = "Choose a Substitute"

    line_id = fields.Many2one("sale.order.line", required=True, ondelete="cascade")
    product_id = fields.Many2one(related="line_id.product_id")
    quantity = fields.Float(related="line_id.product_uom_qty")
    option_ids = fields.One2many("distribution.substitute.wizard.option", "wizard_id", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard.option_ids = [fields.Command.create(vals) for vals in wizard._prepare_options()]
        return wizards

    def _prepare_options(self):
        """One option per substitute, most preferred first, with what is free to sell now in the
        order's warehouse and in all warehouses (one set-based read each)."""
        self.ensure_one()
        line = self.line_id
        substitutes = line._get_substitutes()
        warehouse = line.order_id.warehouse_id
        here = substitutes.with_context(warehouse_id=warehouse.id)._compute_quantities_dict(None, None, None) if warehouse else {}
        everywhere = substitutes._compute_quantities_dict(None, None, None)
        notes = {sub.substitute_id: sub.note for sub in line.product_id.substitute_line_ids}
        return [
            {
                "product_id": product.id,
                "sequence": index,
                "free_qty_warehouse": here.get(product.id, {}).get("free_qty", 0.0),
                "free_qty_company": everywhere.get(product.id, {}).get("free_qty", 0.0),
                "note": notes.get(product),
            }
            for index, product in enumerate(substitutes)
        ]


class DistributionSubstituteWizardOption(models.TransientModel):
    _name = "distribution.substitute.wizard.option"
    _description = "Substitute Option"
    _order = "sequence"

    wizard_id = fields.Many2one("distribution.substitute.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    product_id = fields.Many2one("product.product", required=True)
    free_qty_warehouse = fields.Float(string="Free in the Order's Warehouse", digits="Product Unit")
    free_qty_company = fields.Float(string="Free in All Warehouses", digits="Product Unit")
    note = fields.Char()

    def action_swap(self):
        self.ensure_one()
        self.wizard_id.line_id._swap_product(self.product_id)
        return {"type": "ir.actions.act_window_close"}
