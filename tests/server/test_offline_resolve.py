"""Resolving the outbox of a remote store against a real server (PRODUCT §13): a discarded
change leaves the replica at once, a conflicting change is edited and sent on top of the
server's version (library and command line)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.remote.replica import APPLIED, CONFLICT, DISCARDED, PENDING, ReplicaStore
from billing_desktop.services import overview, units
from tests.live_server import token_for
from tests.server.test_offline import client, first_unit, keep_few_records, serving


@pytest.fixture
def demo_store(demo_store: SqlStore) -> SqlStore:
    """The demo workspace with few records (what is tested does not depend on them)."""
    return keep_few_records(demo_store, 50)


def names(store: Any, actor: Any) -> dict[int, str]:
    return {row.id: row.name for row in store.read(units.units_overview, actor).rows}


def test_a_discarded_change_leaves_the_replica_at_once_and_open_views_are_told(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        before = names(store, actor)
        one, two = sorted(before)[:2]
        proxy.mode = "drop"  # the server is gone: every change waits in the outbox
        store.forced_offline = True
        store.write(units.rename_unit, actor, one, "First try")
        store.write(units.add_unit, actor, "Made offline")
        store.write(units.rename_unit, actor, one, "Second try")  # the same row again
        store.write(units.rename_unit, actor, two, "Other unit")
        seqs = [int(op["seq"]) for op in store.replica.outbox()]
        heard: list[frozenset[str]] = []
        store.add_write_listener(heard.append)

        store.discard(seqs[1])  # the unit added offline goes, the later renames stay
        shown = names(store, actor)
        assert "Made offline" not in shown.values()
        assert (shown[one], shown[two]) == ("Second try", "Other unit")
        assert heard and "units" in heard[-1]

        store.discard(seqs[2])  # the row goes back to the earlier change, not to the server's
        assert names(store, actor)[one] == "First try"
        store.discard(seqs[0])
        assert names(store, actor)[one] == before[one]
        store.discard(seqs[3])
        assert names(store, actor) == before  # as the server has it, before any pull
        assert [op["status"] for op in store.replica.outbox()] == [DISCARDED] * 4
        assert len(heard) == 4

        proxy.mode = "pass"
        store.forced_offline = False
        report = store.sync()
        assert report.applied == 0 and names(store, actor) == before  # nothing was sent
        with demo_store() as uow:
            assert uow.units.get(one).name == before[one]
        store.close()


def test_an_edited_conflict_is_sent_on_top_of_the_servers_version(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        alice = client(proxy, token, tmp_path / "alice")
        bob = client(proxy, token, tmp_path / "bob")
        actor = alice.read(overview.workspace, None).actor
        bob.read(overview.workspace, None)
        unit = first_unit(alice, actor)
        alice.online = bob.online = False
        alice.write(units.rename_unit, actor, unit.id, "Alice's name")
        bob.write(units.rename_unit, actor, unit.id, "Bob's name")
        assert alice.sync().applied == 1
        assert bob.sync().conflicts == 1
        (op,) = bob.replica.outbox()
        assert op["status"] == CONFLICT
        seq = int(op["seq"])
        with pytest.raises(InvalidInput, match="no argument colour"):
            bob.edit(seq, {"colour": "red"})
        with pytest.raises(InvalidInput, match="unit_id"):
            bob.edit(seq, {"unit_id": "not a number"})
        assert [o["status"] for o in bob.replica.outbox()] == [CONFLICT]  # nothing changed
        bob.online = False
        new_seq = bob.edit(seq, {"name": "Agreed name"})
        original, edited = bob.replica.outbox()
        assert (
            original["status"] == DISCARDED
            and f"superseded by entry {new_seq}" in (original["reason"])
        )
        assert (edited["seq"], edited["status"]) == (new_seq, PENDING)
        assert edited["arguments"] == {"unit_id": unit.id, "name": "Agreed name"}
        version = op["server"]["version"]
        assert edited["if_match"] == f'"units.{version}"'  # based on the server's now
        assert names(bob, actor)[unit.id] == "Agreed name"  # shown at once, before the sync
        bob.online = None
        report = bob.sync()
        assert (report.applied, report.conflicts) == (1, 0)
        assert [o["status"] for o in bob.replica.outbox()] == [DISCARDED, APPLIED]
        with demo_store() as uow:
            assert uow.units.get(unit.id).name == "Agreed name"
        alice.close()
        bob.close()


def test_outbox_edit_on_the_command_line(
    demo_store: SqlStore,
    users: Mapping[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from billing_desktop import cli

    token = token_for(demo_store, users["admin"])
    monkeypatch.setenv("BILLING_DESKTOP_TOKEN", token)
    with serving(demo_store) as proxy:
        url = proxy.url
        # The replica the command line uses (this server's, in the data folder).
        store = ReplicaStore(url, token, retries=1, backoff=0.01, offline=False)
        actor = store.read(overview.workspace, None).actor
        unit = first_unit(store, actor)
        store.forced_offline = True
        store.write(units.rename_unit, actor, unit.id, "Mine")
        store.close()
        demo_store.write(units.rename_unit, actor, unit.id, "Theirs")
        assert cli.main(["--store", url, "sync"]) == 3  # a conflict waits
        capsys.readouterr()
        assert cli.main(["--store", url, "outbox", "edit", "1"]) == 2
        assert "give at least one FIELD=VALUE" in capsys.readouterr().err
        assert cli.main(["--store", url, "outbox", "edit", "1", "nmae=Ours"]) == 2
        assert "has no argument nmae" in capsys.readouterr().err
        assert cli.main(["--store", url, "outbox", "discard", "1", "name=x"]) == 2
        capsys.readouterr()
        assert cli.main(["--store", url, "outbox", "edit", "1", "name=Ours", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"id": 1, "done": "edit", "new_id": 2}
        assert cli.main(["--store", url, "sync"]) == 0
        capsys.readouterr()
        assert cli.main(["--store", url, "outbox", "--json"]) == 0
        entries = json.loads(capsys.readouterr().out)
        assert [(e["id"], e["status"]) for e in entries] == [(1, DISCARDED), (2, APPLIED)]
        with demo_store() as uow:
            assert uow.units.get(unit.id).name == "Ours"


def test_discarding_a_change_that_a_later_one_repeats_keeps_the_later_ones_effect(
    demo_store: SqlStore, users: Mapping[str, str], tmp_path: Path
) -> None:
    token = token_for(demo_store, users["admin"])
    with serving(demo_store) as proxy:
        store = client(proxy, token, tmp_path / "r")
        actor = store.read(overview.workspace, None).actor
        path = store.replica.path

        def members() -> set[tuple[int, str]]:
            with sqlite3.connect(path) as db:
                rows = db.execute("SELECT unit_id, user_id FROM billing_unit_users").fetchall()
            return {(int(unit), str(user)) for unit, user in rows}

        before = members()
        unit_id, user_id = sorted(before)[0]
        proxy.mode = "drop"
        store.forced_offline = True
        store.write(units.unassign, actor, unit_id, [user_id])
        assert (unit_id, user_id) not in members()
        store.write(units.assign, actor, unit_id, [user_id])  # back in: a row of its own
        first, second = (int(op["seq"]) for op in store.replica.outbox())
        store.discard(first)  # the later assign cannot be redone on top (the row is back)
        assert members() == before
        assert [op["status"] for op in store.replica.outbox()] == [DISCARDED, PENDING]
        store.discard(second)
        assert members() == before
        store.close()
