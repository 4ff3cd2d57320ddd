"""Sources: where reports come from (portals, feeds, sitemaps, folders)."""
