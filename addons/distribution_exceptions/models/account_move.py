from odoo import fields, models

from .distribution_exception import OPEN_STATES


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "distribution.exception.mixin"]

    exception_ids = fields.One2many(inverse_name="move_id")

    # ------------------------------------------------------------------------------------------------
    # Three-way match
    # ------------------------------------------------------------------------------------------------
    def _get_invoice_mismatches(self):
        """Lines of this posted vendor bill that differ from their purchase order line beyond the
        company's tolerances: billed quantity (all posted bills less refunds) above the received
        quantity (ordered quantity for services), or unit price (in the purchase UoM and currency) away from
        the ordered price.
        Returns a list of sentences, empty when the bill matches."""
        self.ensure_one()
        company = self.company_id
        qty_tolerance = company.distribution_bill_qty_tolerance / 100.0
        price_tolerance = company.distribution_bill_price_tolerance / 100.0
        mismatches = []
        for line in self.invoice_line_ids.filtered(lambda aml: aml.purchase_line_id and aml.display_type == "product"):
            po_line = line.purchase_line_id
            uom = po_line.product_uom_id
            billed = 0.0
            for bill_line in po_line.invoice_lines.filtered(lambda aml: aml.move_id.state == "posted"):
                quantity = bill_line.product_uom_id._compute_quantity(bill_line.quantity, uom)
                billed += quantity if bill_line.move_id.move_type == "in_invoice" else -quantity
            # Goods are matched against what was received whatever the bill control policy; services
            # against what was ordered.
            received = po_line.qty_received if po_line.product_id.type == "consu" else po_line.product_qty
            if uom.compare(billed, received * (1 + qty_tolerance)) > 0:
                mismatches.append(
                    self.env._(
                        "%(product)s: %(billed)s %(uom)s billed but %(received)s received on %(order)s",
                        product=line.product_id.display_name,
                        billed=billed,
                        received=received,
                        uom=uom.name,
                        order=po_line.order_id.name,
                    )
                )
            bill_price = line.product_uom_id._compute_price(line.price_unit * (1 - (line.discount or 0.0) / 100.0), uom)
            if line.currency_id != po_line.currency_id:
                bill_price = line.currency_id._convert(
                    bill_price, po_line.currency_id, company, self.invoice_date or fields.Date.today()
                )
            po_price = po_line.price_unit * (1 - (po_line.discount or 0.0) / 100.0)
            if po_line.currency_id.compare_amounts(abs(bill_price - po_price), abs(po_price) * price_tolerance) > 0:
                mismatches.append(
                    self.env._(
                        "%(product)s: billed at %(bill_price)s per %(uom)s, ordered at %(po_price)s on %(order)s",
                        product=line.product_id.display_name,
                        bill_price=po_line.currency_id.format(bill_price),
                        po_price=po_line.currency_id.format(po_price),
                        uom=uom.name,
                        order=po_line.order_id.name,
                    )
                )
        return mismatches

    def _recheck_invoice_mismatch(self):
        """Raise a mismatch on posted vendor bills that differ from receipt or order, resolve the open
        one of a bill that matches now (corrected and re-posted, or the goods arrived)."""
        bills = self.filtered(lambda m: m.move_type == "in_invoice" and m.state == "posted")
        Exception_ = self.env["distribution.exception"]
        items, matching = [], self.browse()
        for bill in bills:
            mismatches = bill._get_invoice_mismatches()
            if not mismatches:
                matching |= bill
                continue
            purchases = bill.invoice_line_ids.purchase_line_id.order_id
            items.append(
                {
                    "record": bill,
                    "move_id": bill,
                    "purchase_order_id": purchases[:1],
                    "partner_id": bill.partner_id,
                    "user_id": purchases[:1].user_id,
                    "facts": Exception_._facts(
                        self.env._(
                            "Vendor bill %(bill)s of %(vendor)s does not match its receipts and purchase order "
                            "(tolerances: %(qty)s %% on quantity, %(price)s %% on price).",
                            bill=bill.name,
                            vendor=bill.partner_id.commercial_partner_id.display_name,
                            qty=bill.company_id.distribution_bill_qty_tolerance,
                            price=bill.company_id.distribution_bill_price_tolerance,
                        ),
                        mismatches,
                    ),
                }
            )
        Exception_._raise_exceptions("invoice_mismatch", items)
        if matching:
            Exception_._resolve_exceptions(
                "invoice_mismatch", matching, self.env._("The bill now matches its receipts and purchase order.")
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._recheck_invoice_mismatch()
        posted._settle_returns()
        return posted

    def button_cancel(self):
        res = super().button_cancel()
        self.env["distribution.exception"]._resolve_exceptions(
            "invoice_mismatch",
            self.filtered(lambda m: m.state == "cancel"),
            self.env._("The bill was cancelled."),
            cancel=True,
        )
        return res

    def _settle_returns(self):
        """A credit note posted for an order (customer) or purchase (vendor) settles the returns of it
        that were already received."""
        refunds = self.filtered(lambda m: m.move_type in ("out_refund", "in_refund"))
        if not refunds:
            return
        Exception_ = self.env["distribution.exception"]
        orders = refunds.filtered(lambda m: m.move_type == "out_refund").invoice_line_ids.sale_line_ids.order_id
        purchases = refunds.filtered(lambda m: m.move_type == "in_refund").invoice_line_ids.purchase_line_id.order_id
        domain = [("state", "in", OPEN_STATES), ("picking_id.state", "=", "done")]
        open_returns = Exception_.sudo().search(
            domain + ["|", "&", ("code", "=", "return"), ("sale_order_id", "in", orders.ids),
                      "&", ("code", "=", "supplier_quality"), ("purchase_order_id", "in", purchases.ids)]
        )
        for exception in open_returns:
            notes = refunds.filtered(
                lambda m, e=exception: e.sale_order_id in m.invoice_line_ids.sale_line_ids.order_id
                or e.purchase_order_id in m.invoice_line_ids.purchase_line_id.order_id
            )
            Exception_._resolve_exceptions(
                exception.code,
                exception.picking_id,
                self.env._("Credited by %(notes)s.", notes=", ".join(notes.mapped("name"))),
            )
