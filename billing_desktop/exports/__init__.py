"""Spreadsheet files: formula-safe CSV and typed XLSX, and the tables both are written from.

Below the use cases (``services`` writes exports through these) and beside the domain: these
modules import nothing of the application but the domain's money rules. PDF documents, which
read use cases' results, stay in ``reports``.
"""
