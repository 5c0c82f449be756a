"""Documents an auditor keeps (issue 23): invoice files with their Factur-X XML, and the
month-end bundle (statement, invoices, call log, units report, a SHA-256 manifest and optional
signatures). Used by the command line and the GUI; the PDFs themselves are ``reports/``."""
