from . import distribution_exception_type
