import { registry } from "@web/core/registry";

// A storekeeper receives 6 of the 10 cables a receipt announced and keeps the rest as a backorder: the orders
// waiting for the cable are re-planned by the validation (tests/test_tour_promise_replan.py checks them).
registry.category("web_tour.tours").add("distribution_receipt_short_replans", {
    steps: () => [
        {
            content: "The receipt's cable line",
            trigger: ".o_form_view .o_data_row:contains('Tour Replan Cable') td.o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "Only 6 arrived",
            trigger: ".o_form_view .o_data_row.o_selected_row td[name=quantity] input",
            run: "edit 6",
        },
        {
            content: "Validate the receipt",
            trigger: ".o_form_view .btn-primary[name=button_validate]",
            run: "click",
        },
        {
            content: "Keep the 4 missing as a backorder",
            trigger: ".modal button[name=process]",
            run: "click",
        },
        {
            content: "The receipt is done",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
    ],
});
