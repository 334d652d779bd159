"""Catalogue and quoting: truck models, options, rules, prices and quotes."""
