from . import test_dashboard_access, test_dashboard_sources, test_dashboard_tour
