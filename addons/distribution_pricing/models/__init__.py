from . import res_company
from . import product_category
from . import res_config_settings
