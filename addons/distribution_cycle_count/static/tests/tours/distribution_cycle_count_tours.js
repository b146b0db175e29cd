import { registry } from "@web/core/registry";

// Started by tests/test_tour_cycle_count.py. A counter counts a bin blind and submits a difference above
// the approval threshold: the count waits for approval.
registry.category("web_tour.tours").add("distribution_cycle_count_submit", {
    steps: () => [
        {
            content: "Start counting",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Start Counting')",
            run: "click",
        },
        {
            content: "Counting",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Counting')",
        },
        {
            content: "The recorded quantity is not shown (blind count)",
            trigger: ".o_field_one2many:not(:has(th[data-name=recorded_qty]))",
        },
        {
            content: "Open the line",
            trigger: ".o_field_one2many .o_data_row:first .o_data_cell[name=counted_qty]",
            run: "click",
        },
        {
            content: "Enter what is on the shelf",
            trigger: ".o_field_one2many .o_data_row .o_field_widget[name=counted_qty] input",
            run: "edit 32",
        },
        {
            content: "Submit",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Submit Count')",
            run: "click",
        },
        {
            content: "It waits for approval",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('To Approve')",
        },
    ],
});

// An inventory manager approves it.
registry.category("web_tour.tours").add("distribution_cycle_count_approve", {
    steps: () => [
        {
            content: "The manager sees the recorded quantity and the difference",
            trigger: ".o_field_one2many .o_data_row .o_data_cell[name=difference_qty]:contains('12')",
        },
        {
            content: "Approve",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Approve')",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});
