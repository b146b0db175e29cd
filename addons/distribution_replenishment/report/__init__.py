from . import distribution_supplier_performance
