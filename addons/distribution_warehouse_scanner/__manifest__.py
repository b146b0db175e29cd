{
    "name": "Distribution: Warehouse Scanner",
    "summary": "Full-screen scanner app for handhelds: sequenced picking, receiving with putaway, packing, "
    "internal transfers, on the suite's warehouse rules",
    "version": "19.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": [
        "stock",
        "barcodes",
        "barcodes_gs1_nomenclature",
        "distribution_order_flow",
        "distribution_exceptions",
        "distribution_cycle_count",
    ],
    "data": [
        "views/stock_picking_views.xml",
        "views/scanner_menus.xml",
    ],
    "demo": [
        "demo/scanner_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "distribution_warehouse_scanner/static/src/**/*",
        ],
        "web.assets_tests": [
            "distribution_warehouse_scanner/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
