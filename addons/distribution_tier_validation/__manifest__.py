{
    "name": "Distribution: Tier Validation Guard",
    "summary": "Approval rules (OCA tier validation) that never crash their caller when a field they "
    "read is missing from the registry (a module being upgraded or uninstalled)",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "Distribution Suite",
    "website": "https://github.com/distribution-suite/distribution-suite",
    "maintainers": ["distribution-suite"],
    # Only base_tier_validation: Odoo loads this module right after it, before sale and purchase, so its
    # guard is in the registry whenever an order can be confirmed, even while a core module that the rest
    # of the suite depends on is upgraded (the suite's fields are not loaded yet then).
    "depends": ["base_tier_validation"],
    "data": [],
    "installable": True,
}
