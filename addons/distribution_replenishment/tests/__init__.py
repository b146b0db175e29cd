from . import test_replenishment_settings
from . import test_planner
from . import test_supplier_performance
from . import test_demand_trigger
from . import test_replenishment_security
from . import test_planning_lock
from . import test_tour_replenishment
from . import test_forecasting
