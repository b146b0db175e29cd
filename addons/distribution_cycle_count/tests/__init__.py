from . import test_cycle_count
from . import test_cycle_count_rule
from . import test_cycle_count_security
from . import test_cycle_count_scanner
from . import test_cycle_count_race
from . import test_tour_cycle_count
