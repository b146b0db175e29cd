from . import test_scanner_picking
from . import test_scanner_receipt
from . import test_scanner_security
from . import test_scanner_queries
from . import test_scanner_claim_race
from . import test_tour_scanner
