from . import distribution_exception
from . import helpdesk_ticket
from . import helpdesk_ticket_category
from . import sale_order
