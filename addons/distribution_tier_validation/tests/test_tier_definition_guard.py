from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTierDefinitionGuard(TransactionCase):
    """Which field paths of a rule's domain the registry lacks; no query, any model."""

    def _definition(self, domain):
        return self.env["tier.definition"].new({"name": "Guard test", "definition_domain": domain})

    def test_known_fields_and_paths_are_not_missing(self):
        partner = self.env["res.partner"]
        self.assertEqual(self._definition("[('name', '=', 'x')]")._get_missing_domain_fields(partner), [])
        self.assertEqual(
            self._definition("['|', ('parent_id.country_id.code', '=', 'BE'), ('id', '>', 3)]")
            ._get_missing_domain_fields(partner),
            [],
        )
        self.assertEqual(self._definition(False)._get_missing_domain_fields(partner), [])

    def test_missing_fields_are_named(self):
        partner = self.env["res.partner"]
        definition = self._definition(
            "[('x_gone', '>', 10.0), ('parent_id.x_gone_too', '=', 1), ('name', '!=', False)]"
        )
        self.assertEqual(definition._get_missing_domain_fields(partner), ["x_gone", "parent_id.x_gone_too"])

    def test_unreadable_domain_is_reported_whole(self):
        definition = self._definition("[('name', '=', user.name)]")
        self.assertEqual(definition._get_missing_domain_fields(self.env["res.partner"]), ["[('name', '=', user.name)]"])
