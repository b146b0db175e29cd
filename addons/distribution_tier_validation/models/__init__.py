from . import tier_definition
from . import tier_review
from . import tier_validation
from . import tier_validation_exception
