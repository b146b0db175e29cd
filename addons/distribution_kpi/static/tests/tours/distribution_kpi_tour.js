import { registry } from "@web/core/registry";

// A manager reads the KPIs of the month against the month before, their trend and targets, switches to
// the quarter and opens one KPI's report; started by tests/test_tour_kpi.py.
registry.category("web_tour.tours").add("distribution_kpi_dashboard", {
    steps: () => [
        {
            content: "The KPI table compares the current period with the previous one",
            trigger: ".o_distribution_kpi_dashboard .o_kpi_table .o_kpi_row_ship_median .o_kpi_previous",
        },
        {
            content: "Each KPI shows its last 12 periods",
            trigger: ".o_kpi_row_ship_median .o_kpi_history svg",
        },
        {
            content: "and the company's target",
            trigger: ".o_kpi_row_line_fill_rate .o_kpi_target:contains('96.5 %')",
        },
        {
            content: "Orders at risk are counted",
            trigger: ".o_kpi_orders_at_risk .fs-2",
        },
        {
            content: "Switch to the quarter",
            trigger: ".o_kpi_period_quarter",
            run: "click",
        },
        {
            trigger: ".o_kpi_period_quarter.btn-primary",
        },
        {
            content: "Open the fill rate report",
            trigger: ".o_kpi_row_line_fill_rate",
            run: "click",
        },
        {
            content: "The report opens as a pivot",
            trigger: ".o_pivot_view .o_pivot",
        },
    ],
});

// Customer service opens the list of orders at risk, sorted by promise date, and reads why.
registry.category("web_tour.tours").add("distribution_kpi_orders_at_risk", {
    steps: () => [
        {
            content: "The order is listed with its reason",
            trigger: ".o_list_view .o_data_row:contains('Tour Risky Customer'):contains('Tour Unstocked Reel')",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:contains('Tour Risky Customer') td[name=partner_id]",
            run: "click",
        },
        {
            content: "The order says it is at risk, and why",
            trigger: ".o_form_view div[name=delivery_risk_alert]:contains('At risk of missing its promise date'):contains('still missing')",
        },
        {
            content: "and when the system last checked it",
            trigger: ".o_form_view div[name=delivery_risk_alert] small[name=delivery_risk_checked_at]:contains('Checked at') div[name=risk_checked_at] span.text-truncate",
        },
    ],
});

// A salesperson lands on the Sales home (their quotations): the suite's counts sit over the list, and the
// orders-at-risk count opens the list of their orders at risk. Started by tests/test_tour_kpi.py.
registry.category("web_tour.tours").add("distribution_kpi_sales_home", {
    steps: () => [
        {
            content: "The counts are over the quotations list",
            trigger: ".o_distribution_sales_home button[data-key=at_risk]:contains('Orders at Risk'):contains('1')",
        },
        {
            trigger: ".o_distribution_sales_home button[data-key=backorders]:contains('Waiting on a Backorder')",
        },
        {
            content: "Open the orders at risk",
            trigger: ".o_distribution_sales_home button[data-key=at_risk]",
            run: "click",
        },
        {
            content: "Their order at risk, with its reason",
            trigger: ".o_list_view .o_data_row:contains('Tour Home Customer'):contains('Home Unstocked Drum')",
        },
    ],
});
