import { registry } from "@web/core/registry";

/**
 * Steps that scan ``barcode`` as a keyboard-wedge scanner does (keys, then Enter, on the page: Odoo's
 * barcode service reads them), then wait until the app shows ``expected``.
 */
function scan(barcode, expected) {
    return [
        {
            content: `Scan ${barcode}`,
            trigger: ".o_scanner_app",
            run() {
                for (const key of barcode) {
                    document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
                }
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            },
        },
        {
            content: `After ${barcode}: ${expected}`,
            trigger: `.o_scanner_feedback:contains(${JSON.stringify(expected)})`,
        },
    ];
}

// A picker with inventory rights only takes the next delivery, finds one cable short, reports it and
// validates with a backorder; started by tests/test_tour_scanner.py.
registry.category("web_tour.tours").add("distribution_scanner_short_pick", {
    steps: () => [
        {
            content: "Open the deliveries of the tour warehouse",
            trigger: ".o_scanner_tile:contains('Tour Scanner WH'):contains('Delivery')",
            run: "click",
        },
        {
            content: "Take the next task",
            trigger: ".o_scanner_next",
            run: "click",
        },
        {
            content: "The picking screen says where to go",
            trigger: ".o_scanner_hint:contains('go to')",
        },
        ...scan("TSW-A", "scan a product"),
        ...scan("TS-CABLE", "1 of 3"),
        ...scan("TS-STRANGER", "Wrong product"),
        ...scan("TS-CABLE", "2 of 3"),
        {
            content: "Open the cable line",
            trigger: ".o_scanner_line[data-product='Tour Cable']",
            run: "click",
        },
        {
            content: "Report it short",
            trigger: ".o_scanner_short",
            run: "click",
        },
        {
            content: "Quantity found",
            trigger: ".o_scanner_short_qty",
            run: "edit 2",
        },
        {
            content: "Reason",
            trigger: ".o_scanner_short_reason",
            run: "edit Coil damaged",
        },
        {
            content: "Confirm the short pick",
            trigger: ".o_scanner_short_confirm",
            run: "click",
        },
        {
            content: "Recorded",
            trigger: ".o_scanner_feedback:contains('Short pick recorded')",
        },
        ...scan("TSW-B", "scan a product"),
        ...scan("TS-SWITCH", "1 of 2"),
        ...scan("TS-SWITCH", "2 of 2"),
        {
            content: "Validate",
            trigger: ".o_scanner_validate",
            run: "click",
        },
        {
            content: "Keep the rest in a backorder",
            trigger: ".o_scanner_backorder",
            run: "click",
        },
        {
            content: "Done, back on the task list",
            trigger: ".o_scanner_feedback:contains('the rest waits in')",
        },
    ],
});

// A receiver takes a receipt, scans a box of 6 twice and puts it on another shelf than the putaway rule's.
registry.category("web_tour.tours").add("distribution_scanner_receipt_putaway", {
    steps: () => [
        {
            content: "Open the receipts of the tour warehouse",
            trigger: ".o_scanner_tile:contains('Tour Scanner WH'):contains('Receipts')",
            run: "click",
        },
        {
            content: "Open the receipt",
            trigger: ".o_scanner_task:contains('Tour Vendor')",
            run: "click",
        },
        {
            content: "The putaway rule proposes Shelf A",
            trigger: ".o_scanner_line_dest:contains('Shelf A')",
        },
        ...scan("TS-SWITCH-BOX6", "6 of 12"),
        ...scan("TS-SWITCH-BOX6", "12 of 12"),
        ...scan("TSW-B", "instead of the proposed"),
        {
            content: "The line goes to Shelf B",
            trigger: ".o_scanner_line_dest:contains('Shelf B')",
        },
        {
            content: "Validate",
            trigger: ".o_scanner_validate",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o_scanner_feedback:contains('done')",
        },
    ],
});

// A counter counts a bin blind (scans, then types the total), submits, and the difference, above the
// company's threshold, waits for an inventory manager; started by tests/test_tour_scanner.py.
registry.category("web_tour.tours").add("distribution_scanner_count_to_approve", {
    steps: () => [
        {
            content: "Open the counts",
            trigger: ".o_scanner_counts_tile",
            run: "click",
        },
        {
            content: "Open the bin's count",
            trigger: ".o_scanner_count_task:contains('Scan Count Bin')",
            run: "click",
        },
        {
            content: "Blind: the line shows what was counted, nothing recorded",
            trigger: ".o_scanner_count_line[data-product='Scan Count Item'] .o_scanner_counted:contains('0')",
        },
        ...scan("SCB-BIN", "You are at"),
        ...scan("SCB-ITEM", "1 counted"),
        ...scan("SCB-ITEM", "2 counted"),
        {
            content: "Open the line to type the total",
            trigger: ".o_scanner_count_line[data-product='Scan Count Item']",
            run: "click",
        },
        {
            content: "Type what is on the shelf",
            trigger: ".o_scanner_edit_qty",
            run: "edit 32",
        },
        {
            content: "Set it",
            trigger: ".o_scanner_set_qty",
            run: "click",
        },
        {
            content: "Counted",
            trigger: ".o_scanner_feedback:contains('32 counted')",
        },
        {
            content: "Submit",
            trigger: ".o_scanner_submit_count",
            run: "click",
        },
        {
            content: "Above the threshold: it waits for approval",
            trigger: ".o_scanner_feedback:contains('waiting for approval')",
        },
    ],
});
