{
    "name": "Distribution: KPIs and Orders at Risk",
    "summary": "Order-to-cash KPIs read from flow events, moves and exceptions (cycle time, fill rate, "
    "backorder aging, pick accuracy, invoice lag, return resolution), a manager dashboard, orders at "
    "risk of missing their promise date, weekly KPI mail",
    "version": "19.0.1.2.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["distribution_exceptions", "distribution_replenishment", "queue_job"],
    "data": [
        "security/distribution_kpi_security.xml",
        "security/ir.model.access.csv",
        "data/distribution_kpi_data.xml",
        "data/queue_job_data.xml",
        "data/distribution_kpi_mail_templates.xml",
        "views/distribution_kpi_report_views.xml",
        "views/distribution_kpi_target_views.xml",
        "views/sale_order_views.xml",
        "views/stock_picking_type_views.xml",
        "views/res_config_settings_views.xml",
        "views/distribution_kpi_menus.xml",
    ],
    "demo": [
        "demo/distribution_kpi_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "distribution_kpi/static/src/dashboard/*",
            "distribution_kpi/static/src/sales_home/*",
        ],
        "web.assets_tests": [
            "distribution_kpi/static/tests/tours/*.js",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "application": False,
    "installable": True,
}
