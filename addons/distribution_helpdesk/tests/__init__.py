from . import test_ticket_order_link
from . import test_claims
