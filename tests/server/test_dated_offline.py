"""Dated assignments through the server and offline (issue 20 §5): the preview is an API read
that works on the replica, and a dated assign queued offline is replayed with its date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import local_midnight
from billing_desktop.services import overview, units
from billing_desktop.services.assignment_preview import preview_assignment
from tests.live_server import token_for
from tests.server.test_offline import client, demo_store, serving

__all__ = ["demo_store"]  # the trimmed demo store of the offline tests


def test_a_dated_move_previewed_and_queued_offline_is_replayed_with_its_date(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with demo_store() as uow:
        account = uow.account.get()
        assert account is not None
        zone = ZoneInfo(account.timezone)
        held = [(u, n) for u in uow.units.all() for n in u.numbers]
        others = uow.units.all()
    source, number = held[0]
    target = next(u for u in others if u.id != source.id)
    day = datetime.now(UTC).astimezone(zone).date()
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        online = store.read(
            preview_assignment, actor, target.id, numbers=[number], move=True, from_date=day
        )
        proxy.mode = "drop"
        store.online = False
        offline = store.read(
            preview_assignment, actor, target.id, numbers=[number], move=True, from_date=day
        )
        assert offline == online and online.months  # the replica previews as the server does
        change = store.write(
            units.assign, actor, target.id, numbers=[number], move=True, from_date=day
        )
        assert change.from_date == day
        proxy.mode = "pass"
        report = store.sync()
        assert (report.applied, report.pending, report.conflicts) == (1, 0, 0)
        store.close()
    with demo_store() as uow:
        history = uow.units.history()
        assert number in uow.units.get(target.id).numbers  # type: ignore[union-attr]
    assert {(c.unit_id, c.member, c.added) for c in history} == {
        (source.id, number, False),
        (target.id, number, True),
    }
    assert {c.effective_from for c in history} == {local_midnight(day, zone)}
