from collections import defaultdict

from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _apply_inventory(self, date=None):
        # Read what was recorded and what was counted before the adjustment applies them.
        counts = [
            (quant.product_id, quant.location_id, quant.company_id, quant.quantity, quant.inventory_quantity,
             quant.product_uom_id)
            for quant in self
            if quant.inventory_quantity_set or self.env.context.get("inventory_mode")
        ]
        res = super()._apply_inventory(date=date)
        self._raise_stock_discrepancies(counts)
        return res

    def _raise_stock_discrepancies(self, counts):
        """One stock discrepancy per product whose counted quantity differs from the recorded one by
        more than the company's count tolerance (share of the recorded quantity; any difference on a
        location recorded empty). A product already under review gets the new count on its item."""
        Exception_ = self.env["distribution.exception"]
        rows_by_product = defaultdict(list)
        for product, location, company, recorded, counted, uom in counts:
            difference = counted - recorded
            if uom.is_zero(difference):
                continue
            tolerance = company.distribution_count_tolerance / 100.0
            if recorded > 0 and uom.compare(abs(difference), recorded * tolerance) <= 0:
                continue
            rows_by_product[(product, company)].append(
                self.env._(
                    "%(location)s: counted %(counted)s %(uom)s, recorded %(recorded)s (%(difference)+g)",
                    location=location.display_name,
                    counted=counted,
                    recorded=recorded,
                    uom=uom.name,
                    difference=difference,
                )
            )
        Exception_._raise_exceptions(
            "stock_discrepancy",
            [
                {
                    "record": product,
                    "company": company,
                    "product_id": product,
                    "facts": Exception_._facts(
                        self.env._(
                            "An inventory count of %(product)s by %(user)s differs from the recorded stock beyond "
                            "the %(tolerance)s %% tolerance. Recount or investigate.",
                            product=product.display_name,
                            user=self.env.user.name,
                            tolerance=company.distribution_count_tolerance,
                        ),
                        rows,
                    ),
                }
                for (product, company), rows in rows_by_product.items()
            ],
        )
