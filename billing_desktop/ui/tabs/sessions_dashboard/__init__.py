"""Usage Data tab ▸ Sessions: ``section`` (the controls, chart and table), ``data`` (the read
on a worker thread) and ``figures`` (the chart's series)."""

from __future__ import annotations

from billing_desktop.ui.tabs.sessions_dashboard.section import SessionsSection

__all__ = ["SessionsSection"]
