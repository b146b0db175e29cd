{
    "name": "Distribution: Exceptions",
    "summary": "Backorders, short picks, returns, claims, credit holds, late suppliers and invoice "
    "mismatches as owned, aged, resolvable queue items",
    "version": "19.0.1.3.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["distribution_order_flow", "queue_job"],
    "data": [
        "security/distribution_exceptions_security.xml",
        "security/ir.model.access.csv",
        "data/distribution_exception_type_data.xml",
        "data/distribution_exception_data.xml",
        "data/queue_job_data.xml",
        "views/distribution_exception_type_views.xml",
        "wizards/distribution_exception_assign_views.xml",
        "views/distribution_exception_views.xml",
        "views/document_views.xml",
        "views/distribution_exceptions_menus.xml",
    ],
    "demo": [
        "demo/distribution_exceptions_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "distribution_exceptions/static/tests/tours/*.js",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "application": False,
    "installable": True,
}
