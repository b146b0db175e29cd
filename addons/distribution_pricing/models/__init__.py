from . import res_company
from . import product_category
from . import res_config_settings
from . import distribution_price_agreement
from . import distribution_price_override
from . import sale_order
from . import sale_order_line
