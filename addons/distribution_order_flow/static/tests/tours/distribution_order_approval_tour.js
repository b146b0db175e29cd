import { registry } from "@web/core/registry";

// The approval matrix as people use it. Started by tests/test_tour_order_approval.py:
// 1. the salesperson opens a quotation with a 15% discount, reads above the lines what needs approval,
//    why and by whom, tries to confirm (refused, names the rule and the approver), requests the validation;
// 2. a sales manager validates it (comment wizard);
// 3. the salesperson confirms: the order is Confirmed/Reserved in the flow.
registry.category("web_tour.tours").add("distribution_order_approval_rep_request", {
    steps: () => [
        {
            content: "The quotation shows its flow state",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Quotation')",
        },
        {
            content: "Above the lines, before Confirm: the rule, why, and who approves it",
            trigger:
                "div[name=distribution_approval_summary]:contains('Discount above 10%'):contains('largest discount 15'):contains('Sales Administrator (')",
        },
        {
            content: "Try to confirm",
            trigger: ".o_form_view button[name=action_confirm]:visible",
            run: "click",
        },
        {
            content: "Refused: the rule and who approves it are named",
            trigger: ".o_error_dialog:contains('Discount above 10%'):contains('Sales Administrator (')",
        },
        {
            trigger: ".o_error_dialog .btn-primary",
            run: "click",
        },
        {
            content: "Request the validation",
            trigger: ".o_form_view button[name=request_validation]",
            run: "click",
        },
        {
            content: "The order waits for approval",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('To Approve')",
        },
    ],
});

registry.category("web_tour.tours").add("distribution_order_approval_manager_validate", {
    steps: () => [
        {
            content: "The manager sees the pending review and validates",
            trigger: ".o_form_view button[name=validate_tier]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=comment] input",
            run: "edit Within this quarter's promotion",
        },
        {
            trigger: ".modal button[name=add_comment]",
            run: "click",
        },
        {
            content: "Approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
    ],
});

registry.category("web_tour.tours").add("distribution_order_approval_rep_confirm", {
    steps: () => [
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
        {
            content: "Confirm the approved order",
            trigger: ".o_form_view button[name=action_confirm]:visible",
            run: "click",
        },
        {
            content: "The order moves on in the flow",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Reserved')",
        },
    ],
});
