from . import test_kpi_reports
from . import test_delivery_risk
from . import test_kpi_dashboard
from . import test_kpi_security
from . import test_tour_kpi
from . import test_warehouse_access
from . import test_demo_history
from . import test_sales_home
