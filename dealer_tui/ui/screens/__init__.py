"""Work screens, one module per screen with its stylesheet beside it."""
