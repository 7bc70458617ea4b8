"""Site-independent reading of government pages: metas, info tables, body text, page dates."""
