"""Printable documents: the signed treatment record and the patient's aftercare sheet, as PDF.

Documents are HTML rendered by Jinja templates and turned into PDF by WeasyPrint; their data
comes only through the services, which audit every export.
"""
