import { registry } from "@web/core/registry";

// A rep sees a quotation line the order's warehouse cannot serve, ships it from the branch that can,
// accepts the promise date and confirms; started by tests/test_tour_atp.py.
registry.category("web_tour.tours").add("distribution_atp_source_confirm", {
    steps: () => [
        {
            content: "The line shows what can be promised here",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour ATP Cable') .o_data_cell[name=atp_qty]:contains('2.00')",
        },
        {
            content: "Ship it from the warehouse that can serve it now",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour ATP Cable') button[name=action_source_from_atp_warehouse]",
            run: "click",
        },
        {
            content: "Promise the date to the customer",
            trigger: ".o_form_view button[name=action_accept_promise_date]",
            run: "click",
        },
        {
            content: "Saved and reloaded",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_view button[name=action_confirm]:visible",
            run: "click",
        },
        {
            content: "Confirmed and reserved in the branch",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Reserved')",
        },
    ],
});
