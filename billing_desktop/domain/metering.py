"""Metering (PRODUCT §4.2, §12): which rollup measure each product is billed on, and the
rollup deltas a batch of raw records adds.

Rollups are hourly per local day, app and measure; a product's monthly quantity is the sum of
its measure over the month's local days, except ``peak_day`` (storage snapshots) and the
recurring ``per_agent`` / ``per_number`` charges, which come from their own tables.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from zoneinfo import ZoneInfo

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import (
    Alert,
    Call,
    Channel,
    Conversation,
    Interview,
    Metering,
    Recording,
    Sms,
    Source,
)
from billing_desktop.domain.sessions import conversation_sessions, started_minutes

# Measures kept in the hourly rollups.
CONVERSATIONS = "conversations"
BILLING_SESSIONS = "billing_sessions"
VOICE_SESSIONS = "voice_sessions"
VOICE_CONVERSATIONS = "voice_conversations"
ALERTS = "alerts"  # every delivered alert is one alert session
CALLS = "calls"
CALL_MINUTES = "call_minutes"
SMS = "sms"
INTERVIEWS = "interviews"
RECORDINGS = "recordings"
RECORDING_MINUTES = "recording_minutes"

# (source, metering rule) -> rollup measure, for the rules metered from raw records.
MEASURES: Mapping[tuple[Source, Metering], str] = {
    (Source.CONVERSATIONS, Metering.SESSIONS): BILLING_SESSIONS,
    (Source.CONVERSATIONS, Metering.VOICE_SESSIONS): VOICE_SESSIONS,
    (Source.CONVERSATIONS, Metering.COUNT): CONVERSATIONS,
    (Source.ALERTS, Metering.COUNT): ALERTS,
    (Source.ALERTS, Metering.SESSIONS): ALERTS,
    (Source.CALLS, Metering.SUM): CALL_MINUTES,
    (Source.CALLS, Metering.COUNT): CALLS,
    (Source.SMS, Metering.COUNT): SMS,
    (Source.INTERVIEWS, Metering.COUNT): INTERVIEWS,
    (Source.RECORDINGS, Metering.SUM): RECORDING_MINUTES,
    (Source.RECORDINGS, Metering.COUNT): RECORDINGS,
}
# Rules that do not come from the hourly rollups.
DIRECT_RULES: frozenset[tuple[Source, Metering]] = frozenset(
    {
        (Source.STORAGE, Metering.PEAK_DAY),
        (Source.STORAGE, Metering.SUM),
        (Source.AGENTS, Metering.PER_AGENT),
        (Source.NUMBERS, Metering.PER_NUMBER),
    }
)


def check_rule(source: Source, metering: Metering) -> None:
    """Refuse a rate-card pairing that cannot be metered (e.g. SMS by sessions)."""
    if (source, metering) not in MEASURES and (source, metering) not in DIRECT_RULES:
        allowed = sorted(rule.value for src, rule in [*MEASURES, *DIRECT_RULES] if src == source)
        raise InvalidInput(
            f"{source.value} cannot be metered by '{metering.value}' (use {', '.join(allowed)})"
        )


RollupDeltas = dict[tuple[date, int, str, str], Decimal]


Slot = tuple[date, int]  # a local day and hour of it


def _slot(instant: datetime, zone: ZoneInfo) -> Slot:
    local = instant.astimezone(zone)
    return local.date(), local.hour


def record_instant(record: object) -> datetime:
    """When a record counts: the instant its local day and hour are taken from."""
    if isinstance(record, (Call, Conversation)):
        return record.started_at
    if isinstance(record, Alert):
        return record.delivered_at
    if isinstance(record, Sms):
        return record.sent_at
    if isinstance(record, Interview):
        return record.completed_at
    if isinstance(record, Recording):
        return record.recorded_at
    raise TypeError(f"no rollups for {type(record).__name__}")


def rollup_deltas(records: Iterable[object], zone: ZoneInfo) -> RollupDeltas:
    """What ``records`` add to the hourly rollups (by local start hour in ``zone``)."""
    listed = list(records)
    return slotted_rollup_deltas(listed, [_slot(record_instant(r), zone) for r in listed])


def slotted_rollup_deltas(records: Sequence[object], slots: Sequence[Slot]) -> RollupDeltas:
    """``rollup_deltas`` of ``records`` whose local (day, hour) the caller knows already:
    ``slots[i]`` is the slot of ``records[i]`` (what ``_slot`` gives for its instant).

    Counts, minutes and sessions are whole numbers, summed as ints and made Decimals at the
    end (the same values the Decimal sums give, in a fraction of the time: the demo's build
    adds millions of records)."""
    if len(records) != len(slots):
        raise ValueError("one slot per record")
    kinds = set(map(type, records))
    if len(kinds) == 1:
        one_kind = _ONE_KIND.get(kinds.pop())
        if one_kind is not None:
            return one_kind(records, slots)
    counts: defaultdict[tuple[date, int, str, str], int] = defaultdict(int)
    minutes: defaultdict[tuple[date, int, str, str], Decimal] = defaultdict(Decimal)
    voice_channel = Channel.VOICE
    for record, (day, hour) in zip(records, slots, strict=True):
        if isinstance(record, Call):
            counts[(day, hour, "", CALLS)] += 1
            counts[(day, hour, "", CALL_MINUTES)] += started_minutes(record.duration_seconds)
        elif isinstance(record, Conversation):
            app = record.app
            billing, voice = conversation_sessions(record)
            counts[(day, hour, app, CONVERSATIONS)] += 1
            counts[(day, hour, app, BILLING_SESSIONS)] += billing
            if record.channel == voice_channel:
                counts[(day, hour, app, VOICE_CONVERSATIONS)] += 1
                counts[(day, hour, app, VOICE_SESSIONS)] += voice
        elif isinstance(record, Alert):
            counts[(day, hour, record.app, ALERTS)] += 1
        elif isinstance(record, Sms):
            counts[(day, hour, "", SMS)] += 1
        elif isinstance(record, Interview):
            counts[(day, hour, "", INTERVIEWS)] += 1
        elif isinstance(record, Recording):
            counts[(day, hour, "", RECORDINGS)] += 1
            minutes[(day, hour, "", RECORDING_MINUTES)] += record.minutes
        else:
            raise TypeError(f"no rollups for {type(record).__name__}")
    deltas: RollupDeltas = {key: Decimal(value) for key, value in counts.items() if value}
    deltas.update((key, value) for key, value in minutes.items() if value)
    return deltas


# Batches of one kind (what ``services.recording.add_records`` and the demo write): the counts
# per slot are one ``Counter`` (a loop in C); only minutes are summed record by record.


def _counted(slots: Iterable[Slot], app: str, measure: str) -> RollupDeltas:
    return {(day, hour, app, measure): Decimal(n) for (day, hour), n in Counter(slots).items()}


def _calls_of(records: Sequence[object], slots: Sequence[Slot]) -> RollupDeltas:
    minutes: defaultdict[Slot, int] = defaultdict(int)
    durations = map(started_minutes, map(attrgetter("duration_seconds"), records))
    for slot, started in zip(slots, durations, strict=True):
        minutes[slot] += started
    deltas = _counted(slots, "", CALLS)
    deltas.update(
        ((day, hour, "", CALL_MINUTES), Decimal(total))
        for (day, hour), total in minutes.items()
        if total
    )
    return deltas


def _alerts_of(records: Sequence[object], slots: Sequence[Slot]) -> RollupDeltas:
    per_app = Counter(zip(slots, map(attrgetter("app"), records), strict=True))
    return {(day, hour, app, ALERTS): Decimal(n) for ((day, hour), app), n in per_app.items()}


def _recordings_of(records: Sequence[object], slots: Sequence[Slot]) -> RollupDeltas:
    minutes: defaultdict[Slot, Decimal] = defaultdict(Decimal)
    for slot, length in zip(slots, map(attrgetter("minutes"), records), strict=True):
        minutes[slot] += length
    deltas = _counted(slots, "", RECORDINGS)
    deltas.update(
        ((day, hour, "", RECORDING_MINUTES), total)
        for (day, hour), total in minutes.items()
        if total
    )
    return deltas


_ONE_KIND: dict[type, Callable[[Sequence[object], Sequence[Slot]], RollupDeltas]] = {
    Call: _calls_of,
    Alert: _alerts_of,
    Sms: lambda _records, slots: _counted(slots, "", SMS),
    Interview: lambda _records, slots: _counted(slots, "", INTERVIEWS),
    Recording: _recordings_of,
}
