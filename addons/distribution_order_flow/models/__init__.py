from . import distribution_customer_class
from . import res_partner
