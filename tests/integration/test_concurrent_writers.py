"""Two writers on one local store (issue 15 §1): writers wait their turn, and a store kept
busy past the busy timeout is one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import StoreBusy
from billing_desktop.services import units
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.credits import set_auto_recharge
from billing_desktop.services.usage_page import usage_page
from billing_desktop.store.sql.engine import BUSY, BUSY_TIMEOUT_ENV
from tests.integration.units_workspace import fill
from tests.usage_workspace import build

D = Decimal
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)

ROOT = Path(__file__).resolve().parents[2]
WRITES = 200


@pytest.fixture
def filled(store: SqlStore, store_path: Path) -> Path:
    with store(write=True) as uow:
        fill(uow)
        uow.commit()
    store.dispose()
    return store_path


def unit_names(path: Path) -> list[str]:
    store = SqlStore(f"sqlite:///{path}")
    try:
        with store() as uow:
            return [unit.name for unit in uow.units.all()]
    finally:
        store.dispose()


@pytest.fixture
def write_lock(filled: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the store's write lock (until the test ends)."""
    other = sqlite3.connect(filled, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


# A command-line user in a loop: every write is a whole `billing-desktop units add` (its own
# store opening, its own unit of work), as from a shell loop, without paying for a new Python
# each time.
LOOP = textwrap.dedent(
    """
    import contextlib, io, sys
    from billing_desktop.cli import main
    store, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    failures = []
    for n in range(count):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = main(["--store", store, "units", "add", f"{prefix} {n}"])
        if status != 0:
            failures.append(f"{status}: {err.getvalue().strip()}")
    print(len(failures))
    print("\\n".join(failures[:5]), file=sys.stderr)
    """
)


def test_two_processes_of_200_writes_each_all_go_through(filled: Path) -> None:
    before = unit_names(filled)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", LOOP, str(filled), prefix, str(WRITES)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("First", "Second")
    ]
    outcomes = [process.communicate(timeout=600) for process in processes]
    for process, (out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == "0", err  # no failed command
        assert "Traceback" not in err
    names = unit_names(filled)
    added = set(names) - set(before)
    assert added == {f"{prefix} {n}" for prefix in ("First", "Second") for n in range(WRITES)}
    assert len(names) == len(before) + 2 * WRITES  # nothing lost, nothing twice


def test_two_threads_of_200_writes_each_all_go_through(filled: Path) -> None:
    """Two write streams in one program (the GUI's background writes, the server's threads):
    before, 38 % failed at once with "database is locked" (a reader upgraded to a writer)."""
    store = SqlStore(f"sqlite:///{filled}")
    before = unit_names(filled)
    with store() as uow:
        actor = resolve_actor(uow, None)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def stream(prefix: str) -> None:
        barrier.wait()
        for n in range(WRITES):
            try:
                # A read first, as a screen does before it writes: the snapshot a deferred
                # transaction would have had to upgrade.
                store.read(units.units_overview, actor)
                store.write(units.add_unit, actor, f"{prefix} {n}")
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=stream, args=(p,)) for p in ("Left", "Right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    store.dispose()
    assert failures == []
    assert len(unit_names(filled)) == len(before) + 2 * WRITES


def test_a_writer_waits_for_the_other_writer_to_finish(filled: Path) -> None:
    other = sqlite3.connect(filled, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO billing_units (name) VALUES ('Held')")
    released = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    store = SqlStore(f"sqlite:///{filled}")
    with store() as uow:
        actor = resolve_actor(uow, None)
    started = time.monotonic()
    released.start()
    try:
        store.write(units.add_unit, actor, "Waited")
    finally:
        released.join()
        other.close()
        store.dispose()
    assert time.monotonic() - started >= 0.4
    assert {"Held", "Waited"} <= set(unit_names(filled))


def test_a_store_busy_past_the_timeout_is_one_line_and_exit_2(
    filled: Path,
    write_lock: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.3")
    before = unit_names(filled)
    started = time.monotonic()
    status = main(["--store", str(filled), "units", "add", "Blocked"])
    waited = time.monotonic() - started
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err == f"billing-desktop: error: {BUSY}\n"
    assert 0.3 <= waited < 5  # waited its turn, then gave up: bounded
    # Reads go on while another program writes (WAL).
    assert main(["--store", str(filled), "units", "report", "--month", "2026-10"]) == 0
    assert "Sales" in capsys.readouterr().out
    write_lock.execute("ROLLBACK")
    assert unit_names(filled) == before


def test_a_busy_store_raises_store_busy_from_the_unit_of_work(
    filled: Path, write_lock: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.1")
    store = SqlStore(f"sqlite:///{filled}")
    try:
        with pytest.raises(StoreBusy, match=r"^the store is busy"), store(write=True):
            pass  # the write lock is taken as the unit of work begins
        with store() as uow:  # a read does not wait
            assert uow.units.count() >= 2
    finally:
        store.dispose()


def test_the_busy_timeout_must_be_a_number_of_seconds(
    filled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "soon")
    assert main(["--store", str(filled), "units", "add", "X"]) == 2
    err = capsys.readouterr().err
    assert err == f"billing-desktop: error: {BUSY_TIMEOUT_ENV}='soon': give a number of seconds\n"


def test_the_default_busy_timeout_is_ten_seconds(filled: Path) -> None:
    assert os.environ.get(BUSY_TIMEOUT_ENV) is None
    store = SqlStore(f"sqlite:///{filled}")
    try:
        with store() as uow:
            timeout = uow.connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        store.dispose()
    assert timeout == 10_000


def test_a_usage_refresh_is_shown_when_its_auto_recharge_cannot_be_written(
    store: SqlStore, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Usage page is a read that may fire auto-recharge: when the store is busy (or
    read-only) it is shown without the recharge, and a later refresh fires it."""
    with store(write=True) as uow:
        build(uow, TODAY)
        set_auto_recharge(uow, resolve_actor(uow, None), True, "1000", "10", now=NOW)
        uow.commit()
    store.dispose()
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.1")
    impatient = SqlStore(f"sqlite:///{store_path}")
    other = sqlite3.connect(store_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        page = impatient.read(usage_page, resolve_actor_of(impatient), None, TODAY)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert page.fired is None and page.summary.balance == D("21.20")
    page = impatient.read(usage_page, resolve_actor_of(impatient), None, TODAY)
    assert page.fired is not None and page.summary.balance == D("31.20")
    impatient.dispose()


def resolve_actor_of(store: SqlStore) -> Any:
    with store() as uow:
        return resolve_actor(uow, None)
