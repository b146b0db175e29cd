from . import test_exception_type
from . import test_exception_queue
from . import test_exception_triggers
from . import test_exception_security
from . import test_exception_mixin
from . import test_exception_concurrency
from . import test_tour_exception_queue
