import { registry } from "@web/core/registry";

// A salesperson opens a confirmed order whose cable cannot all be reserved, substitutes the short quantity
// with the listed equivalent, and sees the new line and the chatter note; started by
// tests/test_tour_substitution.py.
registry.category("web_tour.tours").add("distribution_substitution_confirmed", {
    steps: () => [
        {
            content: "Open the substitutes of the short line",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour Cable 3G2.5') button[name=action_open_substitutes]",
            run: "click",
        },
        {
            content: "Only the short quantity is substituted, the customer allows it",
            trigger: ".modal .o_field_widget[name=quantity]:contains('4.00')",
        },
        {
            content: "Substitute the equivalent",
            trigger: ".modal .o_data_row:contains('Tour Cable 3G2.5 (brand B)') button[name=action_swap]:contains('Substitute')",
            run: "click",
        },
        {
            content: "The substitute is on a new line for the short quantity",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour Cable 3G2.5 (brand B)') .o_data_cell[name=product_uom_qty]:contains('4.00')",
        },
        {
            content: "The original line keeps what is reserved",
            trigger: ".o_field_widget[name=order_line] .o_data_row:contains('Tour Cable 3G2.5'):not(:contains('brand B')) .o_data_cell[name=product_uom_qty]:contains('6.00')",
        },
        {
            content: "The chatter says what was substituted",
            trigger: ".o-mail-Message:contains('Substitution: Tour Cable 3G2.5 replaced by Tour Cable 3G2.5 (brand B)')",
        },
    ],
});
