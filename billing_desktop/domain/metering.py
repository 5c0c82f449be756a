"""Metering (PRODUCT §4.2, §12): which rollup measure each product is billed on, and the
rollup deltas a batch of raw records adds.

Rollups are hourly per local day, app and measure; a product's monthly quantity is the sum of
its measure over the month's local days, except ``peak_day`` (storage snapshots) and the
recurring ``per_agent`` / ``per_number`` charges, which come from their own tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
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


def _slot(instant: datetime, zone: ZoneInfo) -> tuple[date, int]:
    local = instant.astimezone(zone)
    return local.date(), local.hour


def rollup_deltas(records: Iterable[object], zone: ZoneInfo) -> RollupDeltas:
    """What ``records`` add to the hourly rollups (by local start hour in ``zone``)."""
    deltas: RollupDeltas = defaultdict(Decimal)
    one = Decimal(1)
    for record in records:
        if isinstance(record, Call):
            day, hour = _slot(record.started_at, zone)
            deltas[(day, hour, "", CALLS)] += one
            deltas[(day, hour, "", CALL_MINUTES)] += started_minutes(record.duration_seconds)
        elif isinstance(record, Conversation):
            day, hour = _slot(record.started_at, zone)
            billing, voice = conversation_sessions(record)
            deltas[(day, hour, record.app, CONVERSATIONS)] += one
            deltas[(day, hour, record.app, BILLING_SESSIONS)] += billing
            if record.channel == Channel.VOICE:
                deltas[(day, hour, record.app, VOICE_CONVERSATIONS)] += one
                deltas[(day, hour, record.app, VOICE_SESSIONS)] += voice
        elif isinstance(record, Alert):
            day, hour = _slot(record.delivered_at, zone)
            deltas[(day, hour, record.app, ALERTS)] += one
        elif isinstance(record, Sms):
            day, hour = _slot(record.sent_at, zone)
            deltas[(day, hour, "", SMS)] += one
        elif isinstance(record, Interview):
            day, hour = _slot(record.completed_at, zone)
            deltas[(day, hour, "", INTERVIEWS)] += one
        elif isinstance(record, Recording):
            day, hour = _slot(record.recorded_at, zone)
            deltas[(day, hour, "", RECORDINGS)] += one
            deltas[(day, hour, "", RECORDING_MINUTES)] += record.minutes
        else:
            raise TypeError(f"no rollups for {type(record).__name__}")
    return {key: value for key, value in deltas.items() if value}
