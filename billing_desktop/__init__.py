"""Billing Desktop: administration client for contact-centre billing."""

__version__ = "0.1.0"
APP_NAME = "Billing Desktop"
APP_ID = "billing-desktop"
