import { registry } from "@web/core/registry";

function activeModel() {
    const loader = odoo.__WOWL_DEBUG__.root.env.services.spreadsheet_dashboard_loader;
    return loader.getActiveDashboard()?.model;
}

// Resolves when the data sheet's cell (0-based col, row) holds a number: its pivot has loaded.
async function waitForNumber(col, row) {
    for (let attempt = 0; attempt < 100; attempt++) {
        const model = activeModel();
        if (model) {
            const sheetId = model.getters.getSheetIds().find((id) => model.getters.getSheetName(id) === "Data");
            const value = model.getters.getEvaluatedCell({ sheetId, col, row }).value;
            if (typeof value === "number") {
                return value;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Data sheet cell (${col}, ${row}) never held a number`);
}

// A sales manager opens Dashboards > Distribution: Sales and reads its figures; started by
// tests/test_dashboard_tour.py.
registry.category("web_tour.tours").add("distribution_dashboard_sales", {
    steps: () => [
        {
            content: "Open the distribution sales dashboard",
            trigger: ".o_search_panel_category_value:contains('Distribution: Sales')",
            run: "click",
        },
        {
            trigger: ".o_search_panel_category_value.active:contains('Distribution: Sales')",
        },
        {
            content: "The spreadsheet renders with its charts",
            trigger: ".o_spreadsheet_dashboard_action .o-spreadsheet .o-figure",
        },
        {
            content: "The orders at risk, credit holds, approvals and exceptions are counted",
            trigger: ".o_spreadsheet_dashboard_action .o-spreadsheet",
            run: async () => {
                for (const row of [1, 2, 3, 4, 5]) {
                    await waitForNumber(1, row);
                }
                const model = activeModel();
                const sheetId = model.getters.getActiveSheetId();
                // The at-risk pivot's first row of figures (B24): the demo has orders at risk.
                const atRisk = model.getters.getEvaluatedCell({ sheetId, col: 1, row: 23 }).value;
                if (!(typeof atRisk === "number" && atRisk > 0)) {
                    throw new Error(`The at-risk pivot shows no figure: ${atRisk}`);
                }
            },
        },
    ],
});
