from . import distribution_kpi_report
from . import distribution_kpi_order
from . import distribution_kpi_fill
from . import distribution_kpi_backorder
from . import distribution_kpi_pick
from . import distribution_kpi_return
