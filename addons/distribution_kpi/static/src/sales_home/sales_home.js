import { Component, onWillStart, onWillUpdateProps } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { SaleListRenderer } from "@sale/views/sale_onboarding_list/sale_onboarding_list_renderer";
import { SaleListView } from "@sale/views/sale_onboarding_list/sale_onboarding_list_view";
import { SaleFileUploadListRenderer } from "@sale/views/sale_file_upload_list/sale_file_upload_list_renderer";
import { saleFileUploadListView } from "@sale/views/sale_file_upload_list/sale_file_upload_list_view";

/**
 * The suite's counts over the Sales home (quotations and orders lists): orders at risk, orders waiting
 * on a backorder, open exceptions on orders by type, as sale.order.get_distribution_home_counts gives
 * them for the user. A count opens its list (sale.order.action_open_distribution_home_count).
 */
export class DistributionSalesHome extends Component {
    static template = "distribution_kpi.SalesHome";
    static props = { list: { type: Object, optional: true } };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.tiles = [];
        onWillStart(() => this.load());
        onWillUpdateProps(() => this.load());
    }

    async load() {
        this.tiles = await this.orm.call("sale.order", "get_distribution_home_counts", []);
    }

    tileClass(tile) {
        const tone = tile.count ? tile.tone : "secondary";
        return `bg-${tone}-subtle text-${tone}-emphasis`;
    }

    async open(tile) {
        const action = await this.orm.call("sale.order", "action_open_distribution_home_count", [tile.key]);
        await this.action.doAction(action);
    }
}

export class DistributionQuotationListRenderer extends SaleListRenderer {
    static template = "distribution_kpi.QuotationListRenderer";
    static components = { ...SaleListRenderer.components, DistributionSalesHome };
}

export class DistributionOrderListRenderer extends SaleFileUploadListRenderer {
    static template = "distribution_kpi.OrderListRenderer";
    static components = { ...SaleFileUploadListRenderer.components, DistributionSalesHome };
}

registry.category("views").add("distribution_sale_home_quotation_list", {
    ...SaleListView,
    Renderer: DistributionQuotationListRenderer,
});
registry.category("views").add("distribution_sale_home_order_list", {
    ...saleFileUploadListView,
    Renderer: DistributionOrderListRenderer,
});
