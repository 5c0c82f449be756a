"""Metering (PRODUCT §4.2, §12): which rate-card pairs can be metered, and the hourly rollup
deltas a batch of raw records adds (local day and hour in the account's time zone)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain import metering as mt
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.metering import check_rule, rollup_deltas
from billing_desktop.domain.sessions import conversation_sessions, started_minutes

NEW_YORK = ZoneInfo("America/New_York")
AT = datetime(2026, 10, 6, 3, 30, tzinfo=UTC)  # 23:30 on Oct 5 in New York
DAY, HOUR = date(2026, 10, 5), 23


def _call(duration: int, at: datetime = AT, id: str = "c1") -> m.Call:
    return m.Call(id, m.CallType.LIVE, m.TriggeredBy.RECRUITER, "Email", None, "Spring", None,
                  None, at, duration)  # fmt: skip


# --- rate-card pairs -------------------------------------------------------------------------


def test_every_metered_pair_is_accepted_and_every_other_refused() -> None:
    allowed = set(mt.MEASURES) | set(mt.DIRECT_RULES)
    for source, rule in product(m.Source, m.Metering):
        if (source, rule) in allowed:
            check_rule(source, rule)
        else:
            with pytest.raises(InvalidInput, match=f"^{source.value} cannot be metered by"):
                check_rule(source, rule)
    # Every source has at least one rule, and the hourly and direct rules never overlap.
    assert {source for source, _ in allowed} == set(m.Source)
    assert not set(mt.MEASURES) & set(mt.DIRECT_RULES)


def test_a_refusal_names_the_rules_that_would_do() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_rule(m.Source.CALLS, m.Metering.SESSIONS)
    assert str(raised.value) == "calls cannot be metered by 'sessions' (use count, sum)"


# --- deltas of single records ----------------------------------------------------------------


def test_a_call_adds_one_call_and_its_started_minutes() -> None:
    assert rollup_deltas([_call(61)], NEW_YORK) == {
        (DAY, HOUR, "", mt.CALLS): Decimal(1),
        (DAY, HOUR, "", mt.CALL_MINUTES): Decimal(2),
    }
    # A call of 0 seconds is a call without minutes: zero quantities are left out.
    assert rollup_deltas([_call(0)], NEW_YORK) == {(DAY, HOUR, "", mt.CALLS): Decimal(1)}


def test_conversations_add_their_sessions_per_app() -> None:
    voice = m.Conversation("v", "bot2", m.Channel.VOICE, AT, AT + timedelta(minutes=30), 600)
    human = m.Conversation("h", "bot1", m.Channel.CHAT, AT, AT + timedelta(minutes=10), 600)
    assert rollup_deltas([voice, human], NEW_YORK) == {
        (DAY, HOUR, "bot2", mt.CONVERSATIONS): Decimal(1),
        (DAY, HOUR, "bot2", mt.BILLING_SESSIONS): Decimal(2),
        (DAY, HOUR, "bot2", mt.VOICE_CONVERSATIONS): Decimal(1),
        (DAY, HOUR, "bot2", mt.VOICE_SESSIONS): Decimal(2),
        (DAY, HOUR, "bot1", mt.CONVERSATIONS): Decimal(1),
    }


def test_other_records_count_once_and_recordings_add_their_minutes() -> None:
    records = [
        m.Alert("a", "bot1", "u1", AT),
        m.Sms("s", "Invitation", "Spring", AT),
        m.Interview("i", m.InterviewMethod.PHONE, "Spring", AT),
        m.Recording("r", "Spring", Decimal("2.125"), AT),
    ]
    assert rollup_deltas(records, NEW_YORK) == {
        (DAY, HOUR, "bot1", mt.ALERTS): Decimal(1),
        (DAY, HOUR, "", mt.SMS): Decimal(1),
        (DAY, HOUR, "", mt.INTERVIEWS): Decimal(1),
        (DAY, HOUR, "", mt.RECORDINGS): Decimal(1),
        (DAY, HOUR, "", mt.RECORDING_MINUTES): Decimal("2.125"),
    }


def test_records_without_rollups_are_refused() -> None:
    with pytest.raises(TypeError, match="no rollups for StorageSnapshot"):
        rollup_deltas([m.StorageSnapshot(DAY, Decimal(1))], NEW_YORK)


def test_the_repeated_hour_of_a_dst_change_is_one_local_hour() -> None:
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = first + timedelta(hours=1)  # 01:30 EST
    deltas = rollup_deltas([_call(60, first, "c1"), _call(60, second, "c2")], NEW_YORK)
    assert deltas[(date(2026, 11, 1), 1, "", mt.CALLS)] == 2


def test_every_measure_a_product_reads_is_one_the_deltas_write() -> None:
    written = {
        mt.CALLS, mt.CALL_MINUTES, mt.CONVERSATIONS, mt.BILLING_SESSIONS, mt.VOICE_SESSIONS,
        mt.VOICE_CONVERSATIONS, mt.ALERTS, mt.SMS, mt.INTERVIEWS, mt.RECORDINGS,
        mt.RECORDING_MINUTES,
    }  # fmt: skip
    assert set(mt.MEASURES.values()) <= written


# --- properties of batches -------------------------------------------------------------------

_instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
_calls = st.builds(_call, st.integers(0, 7200), _instants, st.text("abc", min_size=1, max_size=3))
_conversations = st.builds(
    lambda app, channel, start, seconds, human: m.Conversation(
        "cv", app, channel, start, start + timedelta(seconds=seconds), min(human, seconds)
    ),
    st.sampled_from(["bot1", "bot2"]),
    st.sampled_from(m.Channel),
    _instants,
    st.integers(0, 7200),
    st.integers(0, 7200),
)
_recordings = st.builds(
    lambda minutes, at: m.Recording("r", "Spring", minutes, at),
    st.decimals(min_value=0, max_value=1000, places=2),
    _instants,
)
_alerts = st.builds(lambda app, at: m.Alert("a", app, "u1", at), st.sampled_from(["b1", "b2"]),
                    _instants)  # fmt: skip
_records = st.lists(st.one_of(_calls, _conversations, _recordings, _alerts), max_size=40)
_zones = st.sampled_from([NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata")])


def _per_record(record: object) -> Counter[str]:
    """What one record adds, measure by measure, from the domain rules directly."""
    if isinstance(record, m.Call):
        return Counter({mt.CALLS: 1, mt.CALL_MINUTES: started_minutes(record.duration_seconds)})
    if isinstance(record, m.Conversation):
        billing, voice = conversation_sessions(record)
        counts = Counter({mt.CONVERSATIONS: 1, mt.BILLING_SESSIONS: billing})
        if record.channel == m.Channel.VOICE:
            counts.update({mt.VOICE_CONVERSATIONS: 1, mt.VOICE_SESSIONS: voice})
        return counts
    if isinstance(record, m.Recording):
        return Counter({mt.RECORDINGS: 1, mt.RECORDING_MINUTES: record.minutes})
    assert isinstance(record, m.Alert)
    return Counter({mt.ALERTS: 1})


def _totals(deltas: dict[tuple[date, int, str, str], Decimal]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for (_day, _hour, _app, measure), quantity in deltas.items():
        totals[measure] = totals.get(measure, Decimal(0)) + quantity
    return totals


@given(_records, _zones)
def test_batch_totals_are_the_sum_of_the_records(records: list[object], zone: ZoneInfo) -> None:
    expected: dict[str, Decimal] = {}
    for record in records:
        for measure, quantity in _per_record(record).items():
            expected[measure] = expected.get(measure, Decimal(0)) + Decimal(quantity)
    assert _totals(rollup_deltas(records, zone)) == {k: v for k, v in expected.items() if v}


@given(_records, st.integers(0, 40), _zones)
def test_a_batch_split_in_two_adds_up_to_the_same_deltas(
    records: list[object], cut: int, zone: ZoneInfo
) -> None:
    combined: dict[tuple[date, int, str, str], Decimal] = {}
    for part in (records[:cut], records[cut:]):
        for key, quantity in rollup_deltas(part, zone).items():
            combined[key] = combined.get(key, Decimal(0)) + quantity
    assert combined == rollup_deltas(records, zone)


@given(_records, _zones)
def test_deltas_are_keyed_by_the_local_day_and_hour(records: list[object], zone: ZoneInfo) -> None:
    slots = set()
    for record in records:
        name = next(n for n in ("started_at", "delivered_at", "recorded_at") if hasattr(record, n))
        local = getattr(record, name).astimezone(zone)
        slots.add((local.date(), local.hour))
    assert {(day, hour) for day, hour, _app, _measure in rollup_deltas(records, zone)} == slots
    assert all(isinstance(v, Decimal) and v > 0 for v in rollup_deltas(records, zone).values())


# --- deltas of records whose local slots the caller knows (the demo's build) -----------------


@given(_records, _zones)
def test_given_slots_give_the_deltas_of_the_records_instants(
    records: list[object], zone: ZoneInfo
) -> None:
    slots = [mt._slot(mt.record_instant(r), zone) for r in records]
    assert mt.slotted_rollup_deltas(records, slots) == rollup_deltas(records, zone)


def test_given_slots_are_what_the_deltas_are_keyed_by() -> None:
    late = datetime(2026, 10, 6, 14, tzinfo=UTC)  # 10:00 in New York
    deltas = mt.slotted_rollup_deltas([_call(61), _call(5, late, "c2")], [(DAY, 7), (DAY, 7)])
    assert deltas == {(DAY, 7, "", mt.CALLS): Decimal(2), (DAY, 7, "", mt.CALL_MINUTES): Decimal(3)}


def test_one_slot_per_record_is_required() -> None:
    with pytest.raises(ValueError, match="one slot per record"):
        mt.slotted_rollup_deltas([_call(61)], [])


_sms = st.builds(lambda at: m.Sms("s", "Invitation", "Spring", at), _instants)
_interviews = st.builds(
    lambda at: m.Interview("i", m.InterviewMethod.PHONE, "Spring", at), _instants
)


def _reference(records: list[object], zone: ZoneInfo) -> dict[tuple[date, int, str, str], Decimal]:
    """The deltas record by record, from the domain rules and ``astimezone`` directly."""
    deltas: dict[tuple[date, int, str, str], Decimal] = {}
    for record in records:
        if isinstance(record, m.Sms):
            instant, added = record.sent_at, Counter({mt.SMS: 1})
        elif isinstance(record, m.Interview):
            instant, added = record.completed_at, Counter({mt.INTERVIEWS: 1})
        else:
            name = next(
                n for n in ("started_at", "delivered_at", "recorded_at") if hasattr(record, n)
            )
            instant, added = getattr(record, name), _per_record(record)
        local = instant.astimezone(zone)
        app = record.app if isinstance(record, (m.Conversation, m.Alert)) else ""
        for measure, quantity in added.items():
            key = (local.date(), local.hour, app, measure)
            deltas[key] = deltas.get(key, Decimal(0)) + Decimal(quantity)
    return {key: value for key, value in deltas.items() if value}


@given(
    st.one_of(
        *(st.lists(kind, min_size=1, max_size=60)
          for kind in (_calls, _conversations, _recordings, _alerts, _sms, _interviews))
    ),
    _zones,
)  # fmt: skip
def test_a_batch_of_one_kind_adds_what_its_records_add(
    records: list[object], zone: ZoneInfo
) -> None:
    # One kind per batch is how records are written (and counted per slot in one pass).
    assert rollup_deltas(records, zone) == _reference(records, zone)
    slots = [mt._slot(mt.record_instant(r), zone) for r in records]
    assert mt.slotted_rollup_deltas(records, slots) == _reference(records, zone)
