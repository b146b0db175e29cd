# Run in an Odoo shell (bin/test-compat, COMPAT_CONTROLS_OFF=1): switch off every governance control the
# suite ships, the way an administrator would in the web client. `env` is the shell's environment.
suite_rules = env["ir.model.data"].search(
    [("model", "=", "tier.definition"), ("module", "=like", "distribution_%")]
)
env["tier.definition"].browse(suite_rules.mapped("res_id")).write({"active": False})  # Approval Rules: archive
companies = env["res.company"].search([])
if "distribution_margin_floor" in companies._fields:  # Sales settings: Default Margin Floor 0 %, no reason
    off = {"distribution_margin_floor": 0.0, "distribution_override_reason_required": False}
    companies.write(off)
    for name, value in off.items():  # companies created later (core's tests make their own) start off too
        env["ir.default"].set("res.company", name, value)
env.cr.commit()
print(f"controls off: {len(suite_rules)} approval rules archived, {len(companies)} companies without margin floor")
