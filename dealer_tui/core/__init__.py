"""The shared core: database, money and time types, users, numbering, audit."""
