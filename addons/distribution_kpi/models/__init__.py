from . import res_company
from . import res_config_settings
from . import stock_picking
from . import sale_order
from . import sale_order_flow_event
from . import sale_order_line
from . import distribution_kpi_dashboard
from . import distribution_kpi_target
