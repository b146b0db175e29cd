from . import test_customer_class
from . import test_security
from . import test_tour_customer_class
