from . import stock_move
from . import stock_move_line
from . import stock_picking
from . import stock_picking_type
