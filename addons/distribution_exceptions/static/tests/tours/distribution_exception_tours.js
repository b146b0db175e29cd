import { registry } from "@web/core/registry";

// A warehouse user picks less than ordered and keeps the rest in a backorder;
// started by tests/test_tour_exception_queue.py.
registry.category("web_tour.tours").add("distribution_exception_short_pick", {
    steps: () => [
        {
            content: "The delivery is ready",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
        {
            content: "Open the quantity of the only line",
            trigger: ".o_form_view .o_data_row .o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "Only 7 found on the shelf",
            trigger: ".o_form_view .o_data_row .o_field_widget[name=quantity] input",
            run: "edit 7",
        },
        {
            content: "Validate",
            trigger: ".o_form_view button[name=button_validate]:visible",
            run: "click",
        },
        {
            content: "Keep the rest in a backorder",
            trigger: ".modal button[name=process]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});

// The exception user finds the short pick in the queue, takes it and resolves it with a note.
registry.category("web_tour.tours").add("distribution_exception_queue", {
    steps: () => [
        {
            content: "The queue is grouped by type: open Short Pick",
            trigger: ".o_list_view .o_group_header:contains('Short Pick')",
            run: "click",
        },
        {
            content: "Open the item raised by the validation",
            trigger: ".o_list_view .o_data_row:contains('Tour Short Customer') .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Its facts say what was short",
            trigger: ".o_field_widget[name=description]:contains('7.0 of 10.0')",
        },
        {
            content: "Take it",
            trigger: ".o_form_view button[name=action_take]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In Progress')",
        },
        {
            content: "Write what was done",
            trigger: ".o_notebook .nav-link:contains('Resolution')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=resolution] .odoo-editor-editable",
            run: "editor Customer accepts the backorder next Tuesday.",
        },
        {
            content: "Resolve",
            trigger: ".o_form_view button[name=action_resolve]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
        },
    ],
});
