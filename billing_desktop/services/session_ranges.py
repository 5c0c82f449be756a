"""The sessions dashboard's ranges and buckets: which days a preset covers, which buckets a
range may use, how a bucket is named. Qt-free, so the GUI and the command line share one policy
(PRODUCT §8.1: ranges of 24 hours, 7 days, 3 months or custom; hour, day, week or month).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import add_months
from billing_desktop.services import sessions
from billing_desktop.services.sessions import SessionsScope, SessionStatistics

RANGES: dict[str, str] = {
    "24h": "Last 24 hours",
    "7d": "Last 7 days",
    "3m": "Last 3 months",
    "custom": "Custom…",
}
BUCKET_TITLES: dict[str, str] = {"hour": "Hour", "day": "Day", "week": "Week", "month": "Month"}
BUCKET_NOUNS: dict[str, str] = {"hour": "hours", "day": "days", "week": "weeks", "month": "months"}
HOUR_LIMIT_DAYS = 31  # the longest range shown by hour (744 points)
DEFAULT_RANGE = "7d"
ALL_APPS = "All apps"


# Ranges and buckets ----------------------------------------------------------------------


def range_end(scope: SessionsScope) -> date:
    """Today in the account's zone: preset ranges end now, whether or not usage reaches it
    (issue 20 §6; they used to end on the last day with usage)."""
    return scope.today


def preset_range(preset: str, end: date) -> tuple[date, date]:
    """The local days [first, last] of a preset range ending on ``end``; "24h" takes two days
    (:func:`last_24_hours` keeps the 24 hours ending now)."""
    if preset == "24h":
        return end - timedelta(days=1), end
    if preset == "7d":
        return end - timedelta(days=6), end
    if preset == "3m":
        return add_months(end, -3) + timedelta(days=1), end
    raise ValueError(f"'{preset}' is not a preset range (one of: 24h, 7d, 3m)")


def range_days(first: date, last: date) -> int:
    return (last - first).days + 1


def allowed_buckets(first: date, last: date) -> tuple[str, ...]:
    """The buckets offered for a range: hours only up to 31 days."""
    if range_days(first, last) > HOUR_LIMIT_DAYS:
        return ("day", "week", "month")
    return sessions.BUCKETS


def default_bucket(preset: str, first: date, last: date) -> str:
    if preset == "24h":
        return "hour"
    if preset == "7d":
        return "day"
    if preset == "3m":
        return "week"
    return "day" if range_days(first, last) <= HOUR_LIMIT_DAYS else "week"


def refusal(bucket: str, first: date, last: date) -> str | None:
    """Why ``bucket`` is not offered for the range, or None when it is."""
    if bucket in allowed_buckets(first, last):
        return None
    return (
        f"{BUCKET_TITLES[bucket]} buckets are for ranges of up to {HOUR_LIMIT_DAYS} days; "
        f"this range has {range_days(first, last)}: pick day, week or month"
    )


def day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def range_text(first: date, last: date) -> str:
    """ "Sat 21 Nov 2026", "15 – 21 Nov 2026", "22 Aug – 21 Nov 2026", "…2025 – …2026"."""
    if first == last:
        return day_text(first)
    if first.year != last.year:
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} – {last.day} {last:%b %Y}"


def bucket_label(start: date | datetime, bucket: str) -> str:
    """How the read-out names a bucket: "Tue 3 Nov 2026 14:00", "Tue 3 Nov 2026",
    "Week of Mon 2 Nov 2026", "November 2026"."""
    if isinstance(start, datetime):
        return f"{day_text(start.date())} {start:%H:%M}"
    if bucket == "week":
        return f"Week of {day_text(start)}"
    if bucket == "month":
        return f"{start:%B %Y}"
    return day_text(start)


def start_text(start: date | datetime) -> str:
    """The table's and CSV's start: local ISO ("2026-11-03", "2026-11-03 14:00")."""
    if isinstance(start, datetime):
        return start.strftime("%Y-%m-%d %H:%M")
    return start.isoformat()


def plural(count: int, singular: str, many: str) -> str:
    return f"{count:,} {singular if count == 1 else many}"


@dataclass(frozen=True, slots=True)
class SessionsRequest:
    """What to show: a preset range (or custom days), a bucket (None: the range's default) and
    an app (None: all apps)."""

    preset: str = DEFAULT_RANGE
    bucket: str | None = None
    app: str | None = None
    first: date | None = None  # custom ranges only
    last: date | None = None


def last_24_hours(statistics: SessionStatistics, now: datetime) -> SessionStatistics:
    """Only the hour buckets of the 24 hours ending with ``now``'s hour (local)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    start = hour - timedelta(hours=23)
    kept = tuple(
        b for b in statistics.buckets if isinstance(b.start, datetime) and start <= b.start <= hour
    )
    if not kept:
        return statistics
    first = kept[0].start
    assert isinstance(first, datetime)
    return replace(statistics, first=first.date(), buckets=kept)


def resolve(request: SessionsRequest, scope: SessionsScope) -> tuple[date, date, str, str, bool]:
    """(first, last, bucket, note, usage ends before the range does) for a request, given the
    store's scope."""
    if request.preset == "custom":
        if request.first is None or request.last is None:
            raise InvalidInput("a custom range needs a first and a last day")
        first, last, ended_early = request.first, request.last, False
    else:
        end = range_end(scope)
        first, last = preset_range(request.preset, end)
        ended_early = scope.usage_span is not None and scope.usage_span[1] < end
    bucket = request.bucket or default_bucket(request.preset, first, last)
    note = ""
    reason = refusal(bucket, first, last) if bucket in sessions.BUCKETS else None
    if reason is not None:
        bucket = default_bucket(request.preset, first, last)
        if bucket not in allowed_buckets(first, last):
            bucket = "day"
        note = f"{reason.split(';')[0]}: showing {BUCKET_NOUNS[bucket]}."
    return first, last, bucket, note, ended_early
