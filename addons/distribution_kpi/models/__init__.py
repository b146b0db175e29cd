from . import res_company
from . import res_config_settings
from . import stock_picking
from . import sale_order
from . import distribution_kpi_dashboard
