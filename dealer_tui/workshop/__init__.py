"""Workshop: resources, calendar, bookings and job cards."""
