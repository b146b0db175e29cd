from . import test_tier_definition_guard
