"""CMS families: one module each (trs, hanweb, ucap, intensive, generic), listed in `registry`."""
