"""The Sessions section's read, on a worker thread: the scope, then the figures (two reads of
the store, each a service of its own, so that a remote store runs them on its server)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate

from billing_desktop.domain.access import Actor
from billing_desktop.services import sessions
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.session_ranges import SessionsRequest, last_24_hours, resolve
from billing_desktop.services.sessions import SessionsScope, SessionStatistics

# The read (worker thread) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DashboardData:
    """A load's outcome: the scope (apps, zone, today, usage span), the statistics, whether the
    range was moved back to the last day with usage, and why the bucket differs from the one
    asked for ("" when it does not)."""

    scope: SessionsScope
    statistics: SessionStatistics
    ended_early: bool
    note: str


def load_dashboard(store: Store, actor: Actor, request: SessionsRequest) -> DashboardData:
    """The scope, then the statistics of ``request`` (worker thread). Two reads of the store,
    each a service of its own, so that a remote store runs them on its server."""
    scope = store.read(sessions.sessions_scope, actor)
    first, last, bucket, note, ended_early = resolve(request, scope)
    app = request.app if request.app in {app_id for app_id, _ in scope.apps} else None
    statistics = store.read(sessions.session_statistics, actor, first, last, app=app, bucket=bucket)
    if request.preset == "24h" and bucket == "hour" and scope.now is not None:
        statistics = last_24_hours(statistics, scope.now)  # ends now (issue 20 §6)
    return DashboardData(scope, statistics, ended_early, note)


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())
