from . import distribution_customer_class
from . import res_partner
from . import sale_order_flow_event
from . import sale_order
from . import sale_order_line
from . import tier_review
from . import purchase_order
from . import stock_picking
