"""Session statistics (PRODUCT §4.1, §8.1 dashboard, §11 ``sessions``): billing, alert and voice
sessions and licensed agents, bucketed by hour, day, week or month.

Sessions come from the hourly rollups only, never from raw records (PERFORMANCE.md B2), so a
three-year range costs a few thousand rollup rows. Agents come from the seats table.

Buckets, in the account's time zone:

* ``hour``: every local hour that exists on each day of the range. On the day clocks go back
  the repeated hour (01:00 in America/New_York) is one bucket holding both real hours, since
  the rollups keep local hours; its start carries the offset of its first occurrence. On the day
  clocks go forward the skipped hour has no bucket.
* ``day``: every local day of the range.
* ``week``: ISO weeks, starting on Monday; ``month``: calendar months. A bucket keeps its
  natural start (a week starting before ``first`` starts on that Monday) but only the days of
  the range are counted in it, agents included.

Every bucket of the range is listed, empty ones with zeros. ``agents`` is the peak daily count of
licensed agents over the bucket's days in the range; seats are workspace-wide, so the app filter
does not change it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.metering import ALERTS, BILLING_SESSIONS, VOICE_SESSIONS
from billing_desktop.domain.model import AgentSeat
from billing_desktop.domain.periods import Month, add_months
from billing_desktop.services.recording import rollup_zone
from billing_desktop.services.visibility import sees_plans
from billing_desktop.store.ports import UnitOfWork

BUCKETS: tuple[str, ...] = ("hour", "day", "week", "month")
MAX_YEARS = 3
MEASURES = (BILLING_SESSIONS, ALERTS, VOICE_SESSIONS)
AGENTS_NOTE = (
    "Agents: the peak daily count of licensed agents in each bucket "
    "(workspace-wide seats, not filtered by app)."
)


@dataclass(frozen=True, slots=True)
class SessionBucket:
    """One bucket. ``start`` is a date (day, week, month) or a local datetime (hour)."""

    start: date | datetime
    billing_sessions: int
    alert_sessions: int
    voice_sessions: int
    agents: int

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "billing_sessions": self.billing_sessions,
            "alert_sessions": self.alert_sessions,
            "voice_sessions": self.voice_sessions,
            "agents": self.agents,
        }


@dataclass(frozen=True, slots=True)
class SessionStatistics:
    first: date
    last: date
    bucket: str
    app: str | None
    timezone: str
    buckets: tuple[SessionBucket, ...]

    @property
    def billing_sessions(self) -> int:
        return sum(b.billing_sessions for b in self.buckets)

    @property
    def alert_sessions(self) -> int:
        return sum(b.alert_sessions for b in self.buckets)

    @property
    def voice_sessions(self) -> int:
        return sum(b.voice_sessions for b in self.buckets)

    @property
    def peak_agents(self) -> int:
        return max((b.agents for b in self.buckets), default=0)

    def as_dict(self) -> dict[str, object]:
        """PRODUCT §11.1 ``sessions --json`` (plus the range, bucket, app and time zone)."""
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "bucket": self.bucket,
            "app": self.app,
            "timezone": self.timezone,
            "buckets": [b.as_dict() for b in self.buckets],
            "totals": {
                "billing_sessions": self.billing_sessions,
                "alert_sessions": self.alert_sessions,
                "voice_sessions": self.voice_sessions,
                "peak_agents": self.peak_agents,
            },
        }


# Clock changes happen on the quarter-hour in every zone of the tz database since 1970.
CLOCK_STEP_MINUTES = 15


def check_range(first: date, last: date) -> None:
    if first > last:
        raise InvalidInput(
            f"--from {first.isoformat()} is after --to {last.isoformat()}: give an earlier start"
        )
    if last >= add_months(first, 12 * MAX_YEARS):
        raise InvalidInput(
            f"{first.isoformat()} to {last.isoformat()} is longer than {MAX_YEARS} years: "
            "give a shorter range"
        )


def session_statistics(
    uow: UnitOfWork,
    actor: Actor,
    first: date,
    last: date,
    *,
    app: str | None = None,
    bucket: str = "day",
) -> SessionStatistics:
    """Sessions and agents over the local days [first, last], one app or all."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see session statistics")
    if bucket not in BUCKETS:
        raise InvalidInput(f"bucket '{bucket}' is not one of: {', '.join(BUCKETS)}")
    check_range(first, last)
    if app is not None and not sees_plans(actor):
        # Apps are the Plans tab's: their ids and names are not shown to this user, so
        # neither is a count per app (nor which apps exist, as the NotFound below would).
        raise PermissionDenied(
            f"you may not see the sessions of one app (it needs the right to view "
            f"{Area.PLANS.label}); leave out the app to see every app's sessions together"
        )
    if app is not None and app not in uow.apps.get_many([app]):
        known = ", ".join(a.id for a in uow.apps.all()) or "none yet"
        raise NotFound(f"--app {app}: no such app in this workspace (apps: {known})")
    zone = rollup_zone(uow)

    agents = daily_agents(uow.agents.all(), first, last)
    days = [first + timedelta(days=n) for n in range(len(agents))]
    # (key of the bucket, its start, its agents), in order.
    slots: list[tuple[Hashable, date | datetime, int]] = []
    if bucket == "hour":
        for day, count in zip(days, agents, strict=True):
            slots.extend(((day, start.hour), start, count) for start in local_hours(day, zone))
    else:
        peaks: dict[date, int] = {}
        for day, count in zip(days, agents, strict=True):
            start = bucket_start(day, bucket)
            peaks[start] = max(peaks.get(start, 0), count)
        slots.extend((start, start, peak) for start, peak in peaks.items())

    sessions: dict[Hashable, list[int]] = {}
    for row in uow.rollups.rows(first, last, MEASURES, app):
        key: Hashable = (row.day, row.hour) if bucket == "hour" else bucket_start(row.day, bucket)
        counts = sessions.setdefault(key, [0] * len(MEASURES))
        counts[MEASURES.index(row.measure)] += int(row.quantity)  # sessions are whole
    buckets = []
    for key, start, peak in slots:
        billing, alerts, voice = sessions.get(key, (0, 0, 0))
        buckets.append(SessionBucket(start, billing, alerts, voice, peak))
    return SessionStatistics(first, last, bucket, app, zone.key, tuple(buckets))


@dataclass(frozen=True, slots=True)
class SessionsScope:
    """What the sessions dashboard offers before it reads figures.

    ``apps`` are (id, name) pairs by name, for the app filter; ``today`` is the local day in
    the account's ``timezone``; ``usage_span`` is the first and last local day with any usage
    (None when nothing is recorded yet).
    """

    apps: tuple[tuple[str, str], ...]
    timezone: str
    today: date
    usage_span: tuple[date, date] | None
    now: datetime | None = None  # the instant read, in the account's zone (presets end here)


def sessions_scope(uow: UnitOfWork, actor: Actor, now: datetime | None = None) -> SessionsScope:
    """The apps, time zone, local today and usage span for the sessions dashboard (``now``:
    an aware instant, the current one by default). No apps for a user who may not see Plans:
    apps are plan data, and their dashboard shows every app's sessions together."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see session statistics")
    zone = rollup_zone(uow)
    apps: list[tuple[str, str]] = []
    if sees_plans(actor):
        apps = sorted(
            ((a.id, a.name) for a in uow.apps.all()), key=lambda a: (a[1].casefold(), a[0])
        )
    local_now = (now or datetime.now(UTC)).astimezone(zone)
    return SessionsScope(tuple(apps), zone.key, local_now.date(), uow.rollups.span(), local_now)


def bucket_start(day: date, bucket: str) -> date:
    """The natural start of the day, week (Monday) or month bucket holding ``day``."""
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return Month.of(day).first_day
    return day


def local_hours(day: date, zone: ZoneInfo) -> list[datetime]:
    """The starts of the local hours that exist on ``day``, at least in part.

    Records are rolled up by their local wall-clock hour, so an hour bucket is every hour
    number the clock shows that day. A clock change can skip part of an hour (Pacific/Chatham
    jumps from 02:45 to 03:45, Australia/Lord_Howe by 30 minutes): the hour still exists and
    its bucket starts at its first wall time. A repeated hour (fall back) is one bucket, at its
    first occurrence. So the hour buckets always add up to the day.
    """
    starts = []
    for hour in range(24):
        for minute in range(0, 60, CLOCK_STEP_MINUTES):
            start = datetime.combine(day, time(hour, minute), tzinfo=zone)
            # A wall time that does not exist (clocks jumped over it) does not survive the
            # trip through UTC.
            back = start.astimezone(UTC).astimezone(zone)
            if back.replace(tzinfo=None) == start.replace(tzinfo=None):
                starts.append(start)
                break
    return starts


def daily_agents(seats: Iterable[AgentSeat], first: date, last: date) -> list[int]:
    """Licensed agents on each day of [first, last] (``domain.sessions.agents_on`` per day,
    in one pass: a user with overlapping seats counts once)."""
    length = (last - first).days + 1
    by_user: dict[str, list[tuple[date, date]]] = {}
    for seat in seats:
        start = max(seat.started_on, first)
        end = last if seat.ended_on is None else min(seat.ended_on, last)
        if start <= end:
            by_user.setdefault(seat.user_id, []).append((start, end))
    changes = [0] * (length + 1)
    for spans in by_user.values():
        for start, end in _merged(spans):
            changes[(start - first).days] += 1
            changes[(end - first).days + 1] -= 1
    counts = []
    running = 0
    for change in changes[:length]:
        running += change
        counts.append(running)
    return counts


def _merged(spans: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    """Overlapping or touching day ranges joined."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


COLUMNS = ("Start", "Billing sessions", "Alert sessions", "Voice sessions", "Agents")
