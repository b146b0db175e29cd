{
    "name": "Distribution: Helpdesk Bridge",
    "summary": "Links OCA helpdesk tickets to sales orders and the distribution exception queue",
    "version": "19.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    "depends": ["distribution_exceptions", "helpdesk_mgmt"],
    "data": [
        "security/ir.model.access.csv",
        "security/distribution_helpdesk_security.xml",
        "views/helpdesk_ticket_views.xml",
        "views/sale_order_views.xml",
    ],
    "demo": [
        "demo/distribution_helpdesk_demo.xml",
    ],
    # Glue only: installs by itself once both the exception queue and OCA helpdesk are installed.
    "application": False,
    "auto_install": True,
    "installable": True,
}
