{
    "name": "Distribution: Replenishment",
    "summary": "Demand-linked replenishment planning: transfers between warehouses before purchases, "
    "lead times, minimum quantities, forecasts and supplier performance",
    "version": "19.0.1.4.0",
    "category": "Inventory/Purchase",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["distribution_order_flow", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "security/distribution_replenishment_security.xml",
        "data/distribution_replenishment_data.xml",
        "data/queue_job_data.xml",
        "views/res_config_settings_views.xml",
        "views/distribution_replenishment_views.xml",
    ],
    "demo": [
        "demo/distribution_replenishment_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "distribution_replenishment/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
