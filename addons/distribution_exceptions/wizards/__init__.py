from . import distribution_exception_assign
