"""The clinical knowledge base: typed models, loading and cross-checks of the data files."""
