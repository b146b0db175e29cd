from . import test_replenishment_settings
from . import test_planner
