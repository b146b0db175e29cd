import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.stock.models.stock_rule import ProcurementException

_logger = logging.getLogger(__name__)


class DistributionReplenishmentLine(models.Model):
    """One proposal of a run for a product x warehouse: the figures it was computed from and what to
    do (a transfer from another warehouse, a purchase, or nothing with the reason)."""

    _name = "distribution.replenishment.line"
    _description = "Replenishment Proposal"
    _inherit = ["distribution.system.fields.mixin"]
    _order = "run_id desc, warehouse_id, product_id, id"
    # Lines are created by the planner only (as the system, from the run's own company); what a buyer may
    # change (quantity, action, vendor, date, source warehouse) is checked in write. The automatic
    # per-record check would double the planner's time on large runs.
    _check_company_auto = False

    run_id = fields.Many2one("distribution.replenishment.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True, index=True, check_company=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, index=True, check_company=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    qty_on_hand = fields.Float(string="On Hand", digits="Product Unit", readonly=True)
    qty_reserved = fields.Float(string="Reserved", digits="Product Unit", readonly=True)
    qty_incoming = fields.Float(
        string="Incoming", digits="Product Unit", readonly=True,
        help="Confirmed receipts and transfers in, and RFQs not confirmed yet.",
    )
    qty_demand = fields.Float(
        string="Confirmed Demand", digits="Product Unit", readonly=True,
        help="Open deliveries and transfers out of the warehouse.",
    )
    daily_demand = fields.Float(digits=(16, 3), readonly=True)
    lead_days = fields.Float(string="Lead Time (days)", digits=(16, 1), readonly=True)
    qty_forecast = fields.Float(
        string="Forecast", digits="Product Unit", readonly=True,
        help="Daily demand x (lead time + review period).",
    )
    qty_safety = fields.Float(string="Safety Stock", digits="Product Unit", readonly=True)
    qty_net = fields.Float(
        string="Net Requirement", digits="Product Unit", readonly=True,
        help="max(confirmed demand, forecast) + safety stock - on hand - incoming.",
    )
    qty_to_order = fields.Float(
        string="To Order", digits="Product Unit",
        help="What the proposal orders or transfers; a buyer may change it before executing.",
    )
    action = fields.Selection(
        [("none", "Nothing"), ("transfer", "Transfer"), ("buy", "Buy")], required=True, default="none"
    )
    source_warehouse_id = fields.Many2one("stock.warehouse", string="From Warehouse", check_company=True)
    route_id = fields.Many2one("stock.route", string="Resupply Route", readonly=True)
    vendor_id = fields.Many2one("res.partner")
    supplierinfo_id = fields.Many2one("product.supplierinfo", string="Vendor Pricelist", readonly=True)
    date_planned = fields.Datetime(string="Expected")
    orderpoint_id = fields.Many2one("stock.warehouse.orderpoint", string="Reordering Rule", readonly=True)
    no_vendor = fields.Boolean(readonly=True)
    is_spike = fields.Boolean(string="Demand Spike", readonly=True, index=True)
    spike_zscore = fields.Float(string="Spike z-score", digits=(16, 1), readonly=True)
    last_week_demand = fields.Float(string="Last Week", digits="Product Unit", readonly=True)
    state = fields.Selection(
        [("proposed", "Proposed"), ("done", "Done"), ("failed", "Failed"), ("skipped", "Skipped")],
        required=True,
        default="proposed",
        index=True,
    )
    note = fields.Char(readonly=True)

    @api.constrains("qty_to_order")
    def _check_qty_to_order(self):
        for line in self:
            if line.qty_to_order < 0:
                raise ValidationError(
                    self.env._(
                        "Proposal for %(product)s in %(warehouse)s: the quantity to order cannot be negative.",
                        product=line.product_id.display_name,
                        warehouse=line.warehouse_id.name,
                    )
                )

    @api.constrains("vendor_id", "action", "product_id")
    def _check_vendor_sells_product(self):
        """A buyer may pick another vendor, but one that sells the product (its vendor pricelist): the
        RFQ is made from that pricelist line."""
        for line in self.filtered(lambda line: line.action == "buy" and line.vendor_id and line.state == "proposed"):
            if not line.product_id._select_seller(partner_id=line.vendor_id, quantity=None):
                raise ValidationError(
                    self.env._(
                        "Proposal for %(product)s in %(warehouse)s: %(vendor)s has no price for this product; add "
                        "it to the product's vendors first.",
                        product=line.product_id.display_name,
                        warehouse=line.warehouse_id.name,
                        vendor=line.vendor_id.display_name,
                    )
                )

    @api.constrains("action", "source_warehouse_id", "warehouse_id")
    def _check_transfer_source(self):
        for line in self.filtered(lambda line: line.action == "transfer"):
            if not line.source_warehouse_id or line.source_warehouse_id == line.warehouse_id:
                raise ValidationError(
                    self.env._(
                        "Proposal for %(product)s in %(warehouse)s: a transfer needs another warehouse to come from.",
                        product=line.product_id.display_name,
                        warehouse=line.warehouse_id.name,
                    )
                )

    @api.model
    def _get_distribution_system_fields(self):
        # The figures a proposal was computed from, what it is about and where it stands are the
        # planner's; a person creates no proposal and never sets one back to 'proposed'.
        return super()._get_distribution_system_fields() | {
            "run_id", "company_id", "product_id", "warehouse_id", "qty_on_hand", "qty_reserved", "qty_incoming",
            "qty_demand", "daily_demand", "lead_days", "qty_forecast", "qty_safety", "qty_net", "route_id",
            "supplierinfo_id", "orderpoint_id", "no_vendor", "is_spike", "spike_zscore", "last_week_demand",
            "state", "note",
        }

    def write(self, vals):
        if {"qty_to_order", "action", "vendor_id", "date_planned", "source_warehouse_id"} & set(vals):
            executed = self.filtered(lambda line: line.state == "done")
            if executed:
                raise UserError(
                    self.env._(
                        "Proposals already executed cannot change: %(lines)s.",
                        lines=", ".join(
                            f"{line.product_id.display_name} ({line.warehouse_id.name})" for line in executed
                        ),
                    )
                )
        res = super().write(vals)
        if {"product_id", "warehouse_id", "source_warehouse_id", "company_id"} & set(vals):
            self._check_company()
        return res

    # ------------------------------------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------------------------------------
    def _prepare_procurement(self, reference):
        """The procurement of a proposal: in the warehouse's stock location, along the resupply route
        (transfer) or the buy route with the chosen vendor (purchase)."""
        self.ensure_one()
        warehouse = self.warehouse_id
        values = {
            "warehouse_id": warehouse,
            "date_planned": self.date_planned or fields.Datetime.now(),
            "reference_ids": reference,
            "company_id": self.company_id,
        }
        if self.action == "transfer":
            values["route_ids"] = self.route_id
        else:
            values["route_ids"] = self.env.ref("purchase_stock.route_warehouse0_buy")
            supplierinfo = self.supplierinfo_id
            if not supplierinfo or (self.vendor_id and supplierinfo.partner_id != self.vendor_id):
                supplierinfo = self.product_id._select_seller(partner_id=self.vendor_id, quantity=None)
            if not supplierinfo:
                # Core would skip a purchase without a vendor price silently (an activity on the product):
                # the proposal fails instead, with its reason, and the buyer sees it on the run.
                raise UserError(
                    self.env._(
                        "%(product)s has no vendor price from %(vendor)s any more: add one on the product, or "
                        "choose another vendor and execute again.",
                        product=self.product_id.display_name,
                        vendor=self.vendor_id.display_name or self.env._("any vendor"),
                    )
                )
            values["supplierinfo_id"] = supplierinfo
        run = self.run_id
        return self.env["stock.rule"].Procurement(
            self.product_id, self.qty_to_order, self.product_id.uom_id, warehouse.lot_stock_id,
            run.name, run.name, self.company_id, values,
        )

    def _execute(self):
        """Create the transfers and RFQs of these proposals through Odoo's procurement, in one batch so
        core groups them (one RFQ per vendor and receiving warehouse, one transfer per route). When the
        batch fails, it is rolled back and the proposals run one by one: a proposal that fails (no route,
        no vendor rule) is marked failed with the reason; the others go on."""
        if not self:
            return
        run = self.run_id
        run.ensure_one()
        if not run.reference_id:
            run.sudo().reference_id = self.env["stock.reference"].sudo().create({"name": run.name})
        nothing = self.filtered(lambda line: line.qty_to_order <= 0)
        if nothing:
            nothing.sudo().write({"state": "skipped", "note": self.env._("Nothing to order.")})
        todo = (self - nothing).sudo()
        if not todo:
            return
        StockRule = self.env["stock.rule"].sudo().with_company(run.company_id)
        try:
            with self.env.cr.savepoint():
                StockRule.run([line._prepare_procurement(run.reference_id) for line in todo], raise_user_error=False)
        except (UserError, ProcurementException):
            todo._execute_one_by_one(StockRule)
        else:
            todo.write({"state": "done"})
        failed = self.filtered(lambda line: line.state == "failed")
        if failed:
            run.message_post(
                body=self.env._("%(count)s proposal(s) could not be executed: see the failed lines.", count=len(failed))
            )

    def _execute_one_by_one(self, stock_rule):
        """The fallback of a failed batch: each proposal in its own savepoint, failures noted on the line."""
        for line in self:
            try:
                with self.env.cr.savepoint():
                    stock_rule.run([line._prepare_procurement(line.run_id.reference_id)], raise_user_error=False)
            except (UserError, ProcurementException) as error:
                message = getattr(error, "procurement_exceptions", None)
                message = "; ".join(msg for _proc, msg in message) if message else str(error)
                line.write({"state": "failed", "note": message[:500]})
                continue
            line.state = "done"

    # ------------------------------------------------------------------------------------------------
    # Demand spikes
    # ------------------------------------------------------------------------------------------------
    def _get_spike_summary(self):
        self.ensure_one()
        if self.spike_zscore < 0:
            return self.env._("Demand drop at %(warehouse)s", warehouse=self.warehouse_id.code)
        return self.env._("Demand spike at %(warehouse)s", warehouse=self.warehouse_id.code)

    def _get_spike_note(self):
        """What the buyer reads on the spike's activity: against the weekly history, or (forecast by demand
        class) against the forecast's error band over the spike window."""
        self.ensure_one()
        values = {
            "product": self.product_id.display_name,
            "last": self.last_week_demand,
            "warehouse": self.warehouse_id.name,
            "z": round(abs(self.spike_zscore), 1),
            "run": self.run_id.name,
            "weeks": self.spike_weeks,
            "method": self.forecast_method,
        }
        if not self.spike_weeks:
            return self.env._(
                "%(product)s sold %(last)s last week in %(warehouse)s, %(z)s standard deviations above "
                "its weekly history (run %(run)s). Check the forecast and the next purchase.", **values
            )
        if self.spike_zscore < 0:
            return self.env._(
                "%(product)s sold less than forecast (%(method)s) over the last %(weeks)s week(s) in %(warehouse)s, "
                "by %(z)s times the forecast's back-tested error (run %(run)s; %(last)s last week). Lost business or "
                "a stock-out? Check before the next purchase.", **values
            )
        return self.env._(
            "%(product)s sold more than forecast (%(method)s) over the last %(weeks)s week(s) in %(warehouse)s, "
            "by %(z)s times the forecast's back-tested error (run %(run)s; %(last)s last week). Check the "
            "forecast and the next purchase.", **values
        )

    def _notify_spikes(self):
        """Tell the buyer of each product with a demand spike, once per product and warehouse while the
        activity is open: an activity on the product, keyed by its warehouse
        (``mail.activity.distribution_spike_warehouse_id``), whatever the language of its summary."""
        if not self:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        templates = self.product_id.product_tmpl_id
        existing = self.env["mail.activity"].sudo().search(
            [("res_model", "=", "product.template"), ("res_id", "in", templates.ids),
             ("distribution_spike_warehouse_id", "in", self.warehouse_id.ids)]
        )
        seen = {(activity.res_id, activity.distribution_spike_warehouse_id.id) for activity in existing}
        vals_list = []
        model_id = self.env["ir.model"]._get_id("product.template")
        for line in self:
            template = line.product_id.product_tmpl_id
            if (template.id, line.warehouse_id.id) in seen:
                continue
            seen.add((template.id, line.warehouse_id.id))
            buyer = line.vendor_id.buyer_id or line.product_id.seller_ids[:1].partner_id.buyer_id or line.run_id.user_id
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": template.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "summary": line._get_spike_summary(),
                    "distribution_spike_warehouse_id": line.warehouse_id.id,
                    "note": line._get_spike_note(),
                    "user_id": buyer.id,
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        if vals_list:
            self.env["mail.activity"].sudo().create(vals_list)
