"""The desktop GUI (PySide6).

Importing the package installs the GUI's language first (Preferences, else the OS locale;
``BILLING_DESKTOP_LANGUAGE`` overrides both), so texts that modules translate at import time
are in that language whichever module is imported first.
"""

from billing_desktop.ui.language import install_catalog

install_catalog()
