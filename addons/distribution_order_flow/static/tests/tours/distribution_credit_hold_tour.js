import { registry } from "@web/core/registry";

// Started by tests/test_tour_credit_hold.py. A credit controller holds a confirmed order by hand.
registry.category("web_tour.tours").add("distribution_credit_hold_put", {
    steps: () => [
        {
            content: "Hold the order for credit",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Credit Hold')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Customer disputes invoice INV/42",
        },
        {
            content: "Hold",
            trigger: ".modal-footer button.btn-primary:contains('Hold')",
            run: "click",
        },
        {
            content: "The order says it is held",
            trigger: ".o_form_view .alert-danger:contains('Credit hold.')",
        },
    ],
});

// The warehouse user tries to ship the held order: refused with a message, nothing validated.
registry.category("web_tour.tours").add("distribution_credit_hold_goods_issue", {
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
            content: "Told why, without credit figures",
            trigger: ".o_notification:contains('is on credit hold')",
        },
        {
            content: "Still ready: nothing left",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
    ],
});

// The credit controller releases the order.
registry.category("web_tour.tours").add("distribution_credit_hold_release", {
    steps: () => [
        {
            content: "Release the credit hold",
            trigger: ".o_form_view .alert-danger button:contains('Release credit hold')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Dispute settled, payment received",
        },
        {
            content: "Release",
            trigger: ".modal-footer button.btn-primary:contains('Release')",
            run: "click",
        },
        {
            content: "The hold is gone",
            trigger: ".o_form_view:not(:has(.alert-danger:contains('Credit hold.')))",
        },
    ],
});
