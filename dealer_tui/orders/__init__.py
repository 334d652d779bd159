"""Order entry: vehicle orders, stock units, deliveries and counter sales.

Loading the area puts its invoice sources in the batch run, so every
workstation and batch command that knows orders also bills them.
"""

from dealer_tui.orders import invoice_sources as _invoice_sources

_invoice_sources.register()
