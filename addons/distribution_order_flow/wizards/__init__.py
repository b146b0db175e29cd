from . import distribution_substitute_wizard
from . import distribution_credit_hold_wizard
