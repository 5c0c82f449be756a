"""The HTTP JSON API over the services (``billing-desktop serve``; extra ``server``)."""
