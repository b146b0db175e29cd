import { registry } from "@web/core/registry";

// A sales manager opens Sales > Configuration > Distribution > Customer Classes, creates a class and
// finds it in the list. Started by tests/test_tour_customer_class.py.
registry.category("web_tour.tours").add("distribution_customer_class_tour", {
    steps: () => [
        {
            content: "The list shows the shipped Retail Chain class",
            trigger: ".o_list_view .o_data_cell:contains('Retail Chain')",
        },
        {
            content: "Create a new class",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Hospitals",
        },
        {
            trigger: ".o_field_widget[name=code] input",
            run: "edit hosp",
        },
        {
            trigger: ".o_field_widget[name=priority] input",
            run: "edit 90",
        },
        {
            content: "Hospitals ship complete",
            trigger: ".o_field_widget[name=ship_policy] input[data-value=complete]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=invoice_on_delivery] input",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the code was normalised to upper case",
            trigger: ".o_form_saved .o_field_widget[name=code] input:value(HOSP)",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .o_back_button a, .breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Hospitals'):contains('HOSP')",
        },
    ],
});
