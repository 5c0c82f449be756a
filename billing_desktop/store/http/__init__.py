"""The remote store: an httpx client of the project's own HTTP API (``billing-desktop serve``)."""
