"""Interactive network views of a store: static, offline HTML pages."""
