"""Demo data only: Odoo's own demo business put out of sight of the demo distributor."""

import logging

from odoo import Command, api, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

# External ids of these modules are the suite's demo; any other module's demo records are Odoo's (or OCA's).
SUITE_MODULE_PREFIX = "distribution_"


class DistributionDemo(models.AbstractModel):
    """Odoo's sale, purchase, stock and account demo data run a furniture shop (Deco Addict, Gemini
    Furniture, Wood Corner, desks and chairs) in the same company as the suite's demo distributor, and add
    a second company (My Company (Chicago)). Left in sight, they would fill the order lists, the orders at
    risk, the exception queue, the planner, the cycle counts and the scanner's task lists beside
    Voltline's. Called first of the suite's demo data, so everything the suite's demo builds afterwards
    sees Voltline's business alone."""

    _name = "distribution.demo"
    _description = "Distribution Demo Setup"

    @api.model
    def _retire_core_demo(self):
        """Put Odoo's own demo business out of sight. Nothing is deleted: other core modules' demo data
        refer to these records by external id when they are installed later. Open orders and transfers
        are cancelled through their own cancel actions, and the cancelled orders left without a salesperson
        (out of everyone's own quotations); its unpaid invoices, bills and credit notes are cancelled; the
        furniture in stock is counted out through an inventory adjustment (the stock valuation follows); the
        goods, customers and vendors are archived; the other demo companies leave every user's allowed
        companies and are archived. An order or purchase that was delivered, received or invoiced in part
        stays as it is (its history is true). Does nothing on a database without demo data, and only the
        superuser (demo data) or an administrator may call it."""
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._(
                "%(user)s cannot put Odoo's demo records out of sight: only an administrator can.",
                user=self.env.user.name,
            ))
        if not self.env.ref("base.module_base").sudo().demo:
            return False
        env = self.sudo().env
        company = env.ref("base.main_company")
        partners = self._get_core_demo_partners()
        templates = self._get_core_demo_goods()
        products = templates.with_context(active_test=False).product_variant_ids

        def untouched(order):
            return not order.picking_ids.filtered(lambda p: p.state == "done") and not order.invoice_ids.filtered(
                lambda m: m.state == "posted"
            )

        sale_orders = env["sale.order"].search([
            ("partner_id.commercial_partner_id", "in", partners.ids), ("state", "!=", "cancel"),
        ]).filtered(untouched)
        sale_orders._action_cancel()
        # Cancelled, they would still head the salespeople's own quotations (My Quotations): they are nobody's.
        env["sale.order"].search([
            ("partner_id.commercial_partner_id", "in", partners.ids), ("state", "=", "cancel"),
            ("user_id", "!=", False),
        ]).with_context(tracking_disable=True).write({"user_id": False})
        purchases = env["purchase.order"].search([
            ("partner_id.commercial_partner_id", "in", partners.ids), ("state", "!=", "cancel"),
        ]).filtered(untouched)
        purchases.button_cancel()
        # Its invoices, bills and credit notes left unpaid would sit in the receivables, the aged balances and
        # the overdue lists beside the distributor's: cancelled (reset to draft first where posted).
        moves = env["account.move"].search([
            ("partner_id.commercial_partner_id", "in", partners.ids), ("move_type", "!=", "entry"),
            ("state", "!=", "cancel"), ("payment_state", "=", "not_paid"),
        ])
        moves.filtered(lambda move: move.state == "posted").button_draft()
        moves.button_cancel()
        # The transfers left open: the furniture shop's (its partners', or carrying its goods only).
        pickings = env["stock.picking"].search([
            ("state", "not in", ("done", "cancel")),
            "|", ("partner_id.commercial_partner_id", "in", partners.ids), ("product_id", "in", products.ids),
        ]).filtered(lambda p: not (p.move_ids.product_id - products))
        pickings.action_cancel()
        quants = env["stock.quant"].search([
            ("product_id", "in", products.ids), ("location_id.usage", "=", "internal"),
            ("company_id", "=", company.id), ("quantity", "!=", 0),
        ])
        if quants:
            quants.with_context(inventory_mode=True).write({"inventory_quantity": 0})
            quants.action_apply_inventory()
        templates.write({"active": False})
        # A user's partner stays (a user keeps their contact): the portal user keeps theirs.
        users = env["res.users"].with_context(active_test=False).search([])
        archived = (partners - users.partner_id).filtered("active")
        archived.write({"active": False})
        others = self._get_core_demo_records("res.company").filtered(lambda c: c != company and c.active)
        for user in users.filtered(lambda u: u.company_ids & others):
            vals = {"company_ids": [Command.unlink(other.id) for other in others]}
            if user.company_id in others:
                vals.update(company_id=company.id, company_ids=[*vals["company_ids"], Command.link(company.id)])
            user.write(vals)
        others.write({"active": False})
        _logger.info(
            "Odoo's demo put out of sight: %s sale orders, %s purchases, %s invoices and %s transfers cancelled, %s "
            "stock records counted out, %s products, %s partners and %s companies archived",
            len(sale_orders), len(purchases), len(moves), len(pickings), len(quants), len(templates), len(archived),
            len(others),
        )
        return True

    def _get_core_demo_records(self, model):
        """Records of ``model`` that Odoo's (or OCA's) demo data created: an external id of a module that is
        not the suite's."""
        data = self.env["ir.model.data"].sudo().search([("model", "=", model)])
        ids = {row.res_id for row in data if not row.module.startswith(SUITE_MODULE_PREFIX)}
        return self.env[model].sudo().with_context(active_test=False).browse(sorted(ids)).exists()

    def _get_core_demo_partners(self):
        """Odoo's demo customers and vendors with their contacts: the commercial partners of core external
        ids that are not a company's. The portal user's partner is one of them (its orders are the
        furniture shop's too)."""
        companies = self.env["res.company"].sudo().with_context(active_test=False).search([])
        partners = (self._get_core_demo_records("res.partner") - companies.partner_id).commercial_partner_id
        partners -= companies.partner_id
        return partners | self.env["res.partner"].sudo().search([("commercial_partner_id", "in", partners.ids)])

    def _get_core_demo_goods(self):
        """Odoo's demo goods and combos (desks, chairs, drawers...): active product templates of core external
        ids (on the template or a variant). Services stay: delivery methods and down payments use some."""
        templates = self._get_core_demo_records("product.template")
        templates |= self._get_core_demo_records("product.product").product_tmpl_id
        return templates.filtered(lambda t: t.active and t.type in ("consu", "combo"))
