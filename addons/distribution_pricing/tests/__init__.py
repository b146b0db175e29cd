from . import test_margin_floor
