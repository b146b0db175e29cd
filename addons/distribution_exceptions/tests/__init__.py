from . import test_exception_type
