from . import distribution_substitute_wizard
