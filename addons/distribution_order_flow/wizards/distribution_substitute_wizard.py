from odoo import api, fields, models


class DistributionSubstituteWizard(models.TransientModel):
    _name = "distribution.substitute.wizard"
    _description = "Choose a Substitute"

    line_id = fields.Many2one("sale.order.line", required=True, ondelete="cascade")
    product_id = fields.Many2one(related="line_id.product_id")
    is_confirmed = fields.Boolean(compute="_compute_substitution", help="The order is confirmed: only the short "
                                  "quantity is substituted.")
    quantity = fields.Float(
        compute="_compute_substitution",
        digits="Product Unit",
        help="What the substitute would sell: the whole line on a quotation, the short quantity on a confirmed order.",
    )
    uom_id = fields.Many2one(related="line_id.product_uom_id", string="Unit")
    consent = fields.Selection(
        [("allowed", "Allowed"), ("ask", "Ask the customer"), ("never", "Never")],
        string="Customer's Consent",
        compute="_compute_substitution",
        help="The customer class's rule for substitutions on confirmed orders.",
    )
    option_ids = fields.One2many("distribution.substitute.wizard.option", "wizard_id", readonly=True)

    @api.depends("line_id")
    def _compute_substitution(self):
        for wizard in self:
            line = wizard.line_id
            wizard.is_confirmed = line.state not in ("draft", "sent")
            wizard.quantity = line._get_short_qty() if wizard.is_confirmed else line.product_uom_qty
            wizard.consent = line.order_id._get_substitution_consent() if wizard.is_confirmed else False

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard.option_ids = [fields.Command.create(vals) for vals in wizard._prepare_options()]
        return wizards

    def _prepare_options(self):
        """One option per substitute, most preferred first, with its available to promise (on hand -
        reserved - open demand of higher allocation score than this quotation) in the order's warehouse
        and in all warehouses of the company: a fixed number of queries."""
        self.ensure_one()
        line = self.line_id
        order = line.order_id
        substitutes = line._get_substitutes()
        warehouses = self.env["stock.warehouse"].sudo().search([("company_id", "=", order.company_id.id)])
        stock = line._atp_read_stock(substitutes, warehouses)
        demand = line._atp_read_unreserved_demand(substitutes, warehouses)
        now = fields.Datetime.now()
        score = self.env["stock.move"]._allocation_score_for(
            order, order.commitment_date or now, now, order.carrier_id, now
        )

        def atp(product, warehouse):
            on_hand, reserved = stock.get((product.id, warehouse.id), (0.0, 0.0))
            rows = demand.get((product.id, warehouse.id), [])
            ahead = sum(qty for move_score, qty, _date in rows if move_score > score)
            return max(on_hand - reserved - ahead, 0.0)

        notes = {sub.substitute_id: sub.note for sub in line.product_id.substitute_line_ids}
        home = line.warehouse_id or order.warehouse_id
        return [
            {
                "product_id": product.id,
                "sequence": index,
                "free_qty_warehouse": atp(product, home) if home else 0.0,
                "free_qty_company": sum(atp(product, warehouse) for warehouse in warehouses),
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
    free_qty_warehouse = fields.Float(string="Available to Promise Here", digits="Product Unit")
    free_qty_company = fields.Float(string="Available to Promise, All Warehouses", digits="Product Unit")
    note = fields.Char()

    def action_swap(self):
        """Sell this substitute: the whole line of a quotation, or the short quantity of a confirmed order
        (proposed to the customer first when their class asks for consent)."""
        self.ensure_one()
        self.wizard_id.line_id._substitute(self.product_id)
        return {"type": "ir.actions.act_window_close"}
