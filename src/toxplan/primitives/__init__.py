"""Pure building blocks beneath the knowledge base and the clinical core.

Nothing here knows a product, a label or a file: the words every layer shares (views, sides,
severities), the shape and placement math that works on any set of landmarks, the catalogue
of finding codes, the one rounding rule and the one way to write a field path. The knowledge
loader and the domain both build on it; it imports neither (an import-linter contract).
"""
