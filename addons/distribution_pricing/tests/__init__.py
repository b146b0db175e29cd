from . import test_margin_floor
from . import test_price_agreement
from . import test_line_discounts_default
from . import test_tour_price_agreement
from . import test_price_override_reference
from . import test_substitution_pricing
from . import test_migration_price_rules
