from . import res_company
from . import res_config_settings
from . import res_partner
from . import distribution_replenishment_run
from . import distribution_replenishment_line
from . import sale_order
from . import mail_activity
from . import distribution_replenishment_forecast
