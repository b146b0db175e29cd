import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/**
 * Managers' dashboard: each KPI of the current period (to date) beside the previous period,
 * computed by distribution.kpi.dashboard from the KPI reports. A row opens its report on the
 * current period.
 */
export class DistributionKpiDashboard extends Component {
    static template = "distribution_kpi.Dashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ period: "month", data: null, history: null });
        onWillStart(() => this.load());
    }

    get periods() {
        return [
            ["week", _t("Week")],
            ["month", _t("Month")],
            ["quarter", _t("Quarter")],
        ];
    }

    async load() {
        const period = this.state.period;
        this.state.data = await this.orm.call("distribution.kpi.dashboard", "get_dashboard_data", [period]);
        // The trend comes after the table: a year of history is the slower read.
        this.state.history = null;
        const history = await this.orm.call("distribution.kpi.dashboard", "get_dashboard_history", [period]);
        if (this.state.period === period) {
            this.state.history = history;
        }
    }

    async setPeriod(period) {
        this.state.period = period;
        await this.load();
    }

    format(value, unit) {
        if (value === null || value === undefined || value === false) {
            return "-";
        }
        if (unit === "%") {
            return `${value.toFixed(1)} %`;
        }
        if (unit === "days") {
            return `${value.toFixed(1)} d`;
        }
        return `${Math.round(value)}`;
    }

    /**
     * The KPI's last periods as bars of a small SVG chart (the current period last), scaled to the
     * largest value; periods without a figure have no bar.
     */
    sparkline(kpi) {
        const history = this.state.history;
        const values = (history && history.kpis[kpi.key]) || [];
        const labels = (history && history.labels) || [];
        const max = Math.max(0, ...values.filter((value) => value !== null && value !== false));
        const width = 8;
        const gap = 2;
        const height = 24;
        return values.map((value, index) => {
            const present = value !== null && value !== false;
            const barHeight = present && max > 0 ? Math.max(1, (value / max) * height) : 0;
            return {
                index,
                x: index * (width + gap),
                y: height - barHeight,
                width,
                height: barHeight,
                current: index === values.length - 1,
                title: `${labels[index] || ""}: ${this.format(present ? value : null, kpi.unit)}`,
            };
        });
    }

    statusClass(kpi) {
        if (kpi.status === "met") {
            return "text-success";
        }
        if (kpi.status === "missed") {
            return "text-danger";
        }
        return "";
    }

    openKpi(kpi) {
        const [start, end] = this.state.data.current;
        this.action.doAction({
            type: "ir.actions.act_window",
            name: kpi.label,
            res_model: kpi.model,
            views: [
                [false, "pivot"],
                [false, "graph"],
                [false, "list"],
            ],
            domain: [
                [kpi.date_field, ">=", start],
                [kpi.date_field, "<", end],
            ],
        });
    }

    openOrdersAtRisk() {
        this.action.doAction("distribution_kpi.sale_order_action_at_risk");
    }

    openBackorders() {
        this.action.doAction("distribution_kpi.distribution_kpi_backorder_action");
    }
}

registry.category("actions").add("distribution_kpi.dashboard", DistributionKpiDashboard);
