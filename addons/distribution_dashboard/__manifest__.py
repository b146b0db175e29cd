{
    "name": "Distribution: Spreadsheet Dashboards",
    "summary": "Spreadsheet dashboards for sales and inventory managers on the suite's figures: orders at risk, "
    "credit holds, approvals, exceptions, margin, backorders, fill rate, vendors, replenishment proposals",
    "version": "19.0.1.0.0",
    "category": "Productivity/Dashboard",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["distribution_kpi", "spreadsheet_dashboard"],
    "data": [
        "security/ir.model.access.csv",
        "data/dashboards.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "distribution_dashboard/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
