"""Every table of every business area, so that the schema is complete."""

from dealer_tui.accounts import models as _accounts  # noqa: F401
from dealer_tui.catalog import models as _catalog  # noqa: F401
from dealer_tui.core import models as _core  # noqa: F401
from dealer_tui.core.model import Base
from dealer_tui.invoicing import models as _invoicing  # noqa: F401
from dealer_tui.leads import models as _leads  # noqa: F401
from dealer_tui.orders import models as _orders  # noqa: F401
from dealer_tui.parts import models as _parts  # noqa: F401
from dealer_tui.vehicles import models as _vehicles  # noqa: F401
from dealer_tui.workshop import models as _workshop  # noqa: F401

metadata = Base.metadata
