import { registry } from "@web/core/registry";

// A warehouse user validates a delivery; started by tests/test_tour_invoice_on_delivery.py.
registry.category("web_tour.tours").add("distribution_delivery_validate", {
    steps: () => [
        {
            content: "The delivery is ready",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
        {
            content: "Validate it",
            trigger: ".o_form_view button[name=button_validate]:visible",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});

// The accountant finds the invoice, posted, among the invoices made on delivery.
registry.category("web_tour.tours").add("distribution_invoice_seen_by_accountant", {
    steps: () => [
        {
            content: "Invoices made on delivery",
            trigger: ".o_searchview_input",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Contractor')",
        },
        {
            content: "Posted",
            trigger: ".o_list_view .o_data_row:contains('Tour Contractor') .o_field_widget[name=status_in_payment], .o_list_view .o_data_row:contains('Tour Contractor'):contains('Posted'), .o_list_view .o_data_row:contains('Tour Contractor'):contains('Not Paid')",
        },
    ],
});
