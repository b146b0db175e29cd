import { registry } from "@web/core/registry";

// A sales manager activates a draft price agreement; started by tests/test_tour_price_agreement.py.
registry.category("web_tour.tours").add("distribution_price_agreement_activate", {
    steps: () => [
        {
            content: "The draft agreement and its volume breaks",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row:contains('Tour Lamp')",
        },
        {
            content: "Activate it",
            trigger: ".o_form_view button[name=action_activate]",
            run: "click",
        },
        {
            content: "Active, written into the customer's contract pricelist",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Active')",
        },
        {
            trigger: ".o_field_widget[name=pricelist_id]:contains('Contract: Tour Key Account')",
        },
    ],
});

// The salesperson's quotation shows where each price comes from.
registry.category("web_tour.tours").add("distribution_price_source_quotation", {
    steps: () => [
        {
            content: "The contract price and its source on the line",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour Lamp'):contains('Contract PA/')",
        },
        {
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour Lamp') td[name=price_unit]:contains('8.50')",
        },
    ],
});
