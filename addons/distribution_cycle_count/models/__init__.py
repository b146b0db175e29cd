from . import res_company
from . import res_config_settings
from . import stock_quant
from . import distribution_cycle_count_rule
from . import distribution_cycle_count
from . import distribution_cycle_count_line
