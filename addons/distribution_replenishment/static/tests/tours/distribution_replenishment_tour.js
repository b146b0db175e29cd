import { registry } from "@web/core/registry";

// A buyer computes a planning run, adjusts a proposal and executes it; started by
// tests/test_tour_replenishment.py.
registry.category("web_tour.tours").add("distribution_replenishment_plan_execute", {
    steps: () => [
        {
            content: "Compute the run",
            trigger: ".o_form_view button[name=action_compute]:contains('Compute')",
            run: "click",
        },
        {
            content: "The transfer from the main warehouse is proposed first",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains('Tour Breaker'):contains('Transfer')",
        },
        {
            content: "and the rest is bought",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains('Tour Breaker'):contains('Buy')",
        },
        {
            content: "Each proposal says how its demand was forecast: demand class and method",
            trigger: ".o_field_widget[name=line_ids] th[data-name=demand_class]",
        },
        {
            trigger: ".o_field_widget[name=line_ids] th[data-name=forecast_method_name]",
        },
        {
            content: "Execute",
            trigger: ".o_form_view button[name=action_execute]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal button.btn-primary",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Executed')",
        },
        {
            content: "The RFQ is one click away",
            trigger: ".o_form_view button[name=action_view_purchases]",
        },
    ],
});
