{
    "name": "Distribution: Cycle Counts",
    "summary": "Cycle count tasks from rules, blind counts, and approval of the differences above a threshold",
    "version": "19.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["stock", "distribution_exceptions"],
    "data": [
        "security/distribution_cycle_count_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/distribution_cycle_count_views.xml",
        "views/distribution_cycle_count_rule_views.xml",
        "views/res_config_settings_views.xml",
        "views/distribution_cycle_count_menus.xml",
    ],
    "demo": [
        "demo/distribution_cycle_count_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "distribution_cycle_count/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
