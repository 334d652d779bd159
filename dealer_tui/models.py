"""Every table of every business area, so that the schema is complete."""

from dealer_tui.accounts import models as _accounts  # noqa: F401
from dealer_tui.catalog import models as _catalog  # noqa: F401
from dealer_tui.core import models as _core  # noqa: F401
from dealer_tui.core.model import Base
from dealer_tui.vehicles import models as _vehicles  # noqa: F401

metadata = Base.metadata
