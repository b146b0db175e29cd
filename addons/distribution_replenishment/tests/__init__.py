from . import test_replenishment_settings
