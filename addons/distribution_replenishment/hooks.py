def post_init_hook(env):
    """The vendors' stored figures from the receipts already done, at install (one SQL statement)."""
    env["distribution.supplier.stat"]._refresh()
