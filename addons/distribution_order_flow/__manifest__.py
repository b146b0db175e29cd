{
    "name": "Distribution: Order Flow",
    "summary": "Governed quotation-to-cash path for wholesale distributors: customer classes, "
    "order lifecycle, approvals, allocation and invoicing on delivery",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": [
        "sale_management",
        "sale_stock",
        "sale_margin",
        "purchase_stock",
        "stock_account",
        "stock_delivery",
        "base_tier_validation",
    ],
    "data": [
        "security/distribution_security.xml",
        "security/ir.model.access.csv",
        "data/distribution_customer_class_data.xml",
        "views/distribution_customer_class_views.xml",
        "views/res_partner_views.xml",
        "views/distribution_menus.xml",
    ],
    "demo": [
        "demo/distribution_customer_class_demo.xml",
        "demo/distribution_company_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/product_demo.xml",
        "demo/stock_quant_demo.xml",
        "demo/sale_order_demo.xml",
        "demo/purchase_order_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "distribution_order_flow/static/tests/tours/*.js",
        ],
    },
    # The suite's entry point in Apps: installing it brings Sales, Inventory, Purchase and Accounting.
    "application": True,
    "installable": True,
}
