"""Billing Units tab (PRODUCT §6): ``tab`` (the units, their members and cost report),
``undo`` (the queued, undoable changes) and ``keys`` (the units table's keys)."""

from __future__ import annotations

from billing_desktop.ui.tabs.billing_units.tab import READ_ONLY, BillingUnitsTab

__all__ = ["READ_ONLY", "BillingUnitsTab"]
