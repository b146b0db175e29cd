{
    "name": "Distribution: Pricing",
    "summary": "Contract prices for key accounts, volume breaks, margin floors and governed price overrides",
    "version": "19.0.1.3.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["distribution_order_flow"],
    "data": [
        "security/ir.model.access.csv",
        "security/distribution_pricing_security.xml",
        "data/distribution_pricing_data.xml",
        "views/distribution_price_agreement_views.xml",
        "views/product_category_views.xml",
        "views/res_config_settings_views.xml",
        "views/distribution_pricing_menus.xml",
    ],
    "demo": [
        "demo/distribution_pricing_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "distribution_pricing/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "installable": True,
}
