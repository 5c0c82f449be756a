"""The desktop GUI (PySide6).

Importing the package first keeps ``None`` alive under Qt for Python 6.12.0 on Python 3.11
(``qt_runtime``), then installs the GUI's language (Preferences, else the OS locale;
``BILLING_DESKTOP_LANGUAGE`` overrides both), so texts that modules translate at import time
are in that language whichever module is imported first.
"""

from billing_desktop.ui.qt_runtime import keep_none_alive

keep_none_alive()  # before any Qt call: see qt_runtime

from billing_desktop.ui.language import install_catalog  # noqa: E402

install_catalog()
