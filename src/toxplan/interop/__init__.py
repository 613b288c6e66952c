"""Records in the formats other systems read: FHIR R4 bundles and CSV files.

The data comes only through the services, which audit every export.
"""
