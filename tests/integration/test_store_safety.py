"""Damaged, missing and empty stores; backups, rotation, restore and check (PRODUCT §10)."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import StoreError
from billing_desktop.services.demo import build_demo
from billing_desktop.store.sql import backups, safety
from billing_desktop.store.sql.engine import (
    create_engine,
    current_revision,
    head_revision,
    known_revisions,
    migrate,
)

TODAY = date(2026, 11, 21)
ACCOUNT_CSV = (
    "name,currency,timezone,plan,payment_method,commit_scope\n"
    "Acme GmbH,EUR,Europe/Berlin,pro,invoice,product\n"
)
STAMP = r"\d{8}-\d{6}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo workspace, built once; each test works on a copy."""
    path = tmp_path_factory.mktemp("template") / "billing.db"
    store = SqlStore(f"sqlite:///{path}")
    try:
        build_demo(store, seed=7, today=TODAY)
    finally:
        store.dispose()
    return path


@pytest.fixture
def demo(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "billing.db"
    shutil.copyfile(template, path)
    return path


def damage(path: Path, pages: int = 20, seed: int = 1) -> None:
    """The tester's probe: overwrite ``pages`` random pages (not the header page) with noise."""
    with path.open("r+b") as f:
        header = f.read(100)
        size = int.from_bytes(header[16:18], "big")
        f.seek(0, 2)
        count = f.tell() // size
        rng = random.Random(seed)
        for page in rng.sample(range(2, count + 1), pages):
            f.seek((page - 1) * size)
            f.write(rng.randbytes(size))


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def invoice_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM invoices").fetchone()[0])


def closed_months(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM closed_months").fetchone()[0])


# Damaged stores --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["usage"], ["units", "add", "Quality"]])
def test_a_store_with_20_damaged_pages_is_moved_aside_not_used(
    demo: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    damage(demo)
    damaged_bytes = demo.read_bytes()
    assert main(["--store", str(demo), *command]) == 2
    line = error_line(capsys)
    aside = list(demo.parent.iterdir())  # the file alone: it had no -wal or -shm
    assert len(aside) == 1 and re.fullmatch(rf"billing\.db\.damaged-{STAMP}", aside[0].name)
    assert f"{demo} is damaged" in line and f"moved aside to {aside[0]}" in line
    assert aside[0].read_bytes() == damaged_bytes  # moved, not changed
    assert not demo.exists()
    # The next command finds no store (and says where the damaged one went); none is created.
    assert main(["--store", str(demo), *command]) == 2
    assert f"moved aside to {aside[0]}" in error_line(capsys)
    assert not demo.exists()


def test_a_damaged_store_moves_aside_with_its_wal_and_shm(demo: Path, tmp_path: Path) -> None:
    """The state a crash leaves: committed pages still in the -wal; both move, unchanged."""
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    writer = sqlite3.connect(demo)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO billing_units (name) VALUES ('In the WAL')")
    writer.commit()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{demo}{suffix}", crashed / f"billing.db{suffix}")
    writer.close()
    path = crashed / "billing.db"
    wal = Path(f"{path}-wal")
    wal_bytes = wal.read_bytes()
    assert len(wal_bytes) > 0
    damage(path)
    with pytest.raises(safety.StoreDamaged) as raised:
        SqlStore(f"sqlite:///{path}", create=False)
    moved = raised.value.moved_to
    assert moved is not None and moved.parent == crashed
    assert Path(f"{moved}-wal").read_bytes() == wal_bytes and Path(f"{moved}-shm").exists()
    assert sorted(p.name for p in crashed.iterdir()) == [
        moved.name,
        f"{moved.name}-shm",
        f"{moved.name}-wal",
    ]


def test_a_second_damaged_store_in_the_same_second_gets_its_own_name(tmp_path: Path) -> None:
    now = datetime(2026, 12, 4, 10, 15, 0)
    first = tmp_path / "s.db"
    first.write_bytes(b"1")
    assert safety.move_aside(first, "damaged", now).name == "s.db.damaged-20261204-101500"
    first.write_bytes(b"2")
    assert safety.move_aside(first, "damaged", now).name == "s.db.damaged-20261204-101500-2"
    assert (tmp_path / "s.db.damaged-20261204-101500").read_bytes() == b"1"


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = safety.quick_check

    def counted(conn: sqlite3.Connection) -> list[str]:
        calls.append(1)
        return real(conn)

    monkeypatch.setattr(safety, "quick_check", counted)
    return calls


def test_an_unchanged_store_is_not_read_again_but_a_changed_one_is(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqlStore(f"sqlite:///{demo}", create=False).dispose()  # checked; remembered
    calls = _counting_checks(monkeypatch)
    assert safety.verified_before(demo)
    SqlStore(f"sqlite:///{demo}", create=False).dispose()
    assert calls == []
    damage(demo, pages=3)  # writing the file changes its stamp
    assert not safety.verified_before(demo)
    with pytest.raises(safety.StoreDamaged):
        SqlStore(f"sqlite:///{demo}", create=False)
    assert calls == [1]


def test_an_empty_wal_left_by_a_reader_is_no_change_but_a_wal_with_pages_is(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqlStore(f"sqlite:///{demo}", create=False).dispose()  # checked; remembered
    calls = _counting_checks(monkeypatch)
    # A program that read the store in WAL mode and ended without closing it leaves an empty
    # log (and its index) behind; the file itself is as it was checked.
    wal = Path(f"{demo}-wal")
    wal.write_bytes(b"")
    Path(f"{demo}-shm").write_bytes(b"\0" * 32768)
    assert safety.verified_before(demo)
    SqlStore(f"sqlite:///{demo}", create=False).dispose()
    assert calls == []
    # A log with pages in it is part of the store: checked again on the next open.
    SqlStore(f"sqlite:///{demo}", create=False).dispose()  # (and remembered as it is now)
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    assert not safety.verified_before(demo)


def test_the_store_the_demo_command_creates_is_not_read_again_on_its_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B9: checking the ten-million-call demo it just wrote would read 3.6 GB (15 s)."""
    path = tmp_path / "new.db"
    assert main(["--store", str(path), "demo", "--today", TODAY.isoformat()]) == 0
    assert safety.verified_before(path)
    calls = _counting_checks(monkeypatch)
    SqlStore(f"sqlite:///{path}", create=False).dispose()
    assert calls == []
    damage(path, pages=3)  # anything written after it is seen as before
    with pytest.raises(safety.StoreDamaged):
        SqlStore(f"sqlite:///{path}", create=False)
    assert calls == [1]


def test_only_a_store_made_from_a_blank_file_is_remembered_unchecked(
    demo: Path, tmp_path: Path
) -> None:
    # An existing store opened with create (File > New store... on a used file) and written
    # to: its next open checks it.
    existing = SqlStore(f"sqlite:///{demo}", create=True)
    with existing(write=True) as uow:
        uow.settings.put("statement-pdf.test", "1")
        uow.commit()
    safety.forget(demo)
    existing.close_created()
    assert not safety.verified_before(demo)
    # Nor a store created from nothing that the demo failed to fill (too many agents: refused
    # after the store was opened, before it is closed as created).
    fresh = tmp_path / "fresh.db"
    assert main(["--store", str(fresh), "demo", "--agents", "6000"]) == 2
    assert not safety.verified_before(fresh)


def test_a_store_in_a_folder_without_write_access_is_checked_as_immutable(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite cannot create the -shm of a WAL store there; the check then reads it immutable."""
    real_connect = sqlite3.connect
    opened: list[str] = []

    class NoShm:
        def execute(self, _sql: str) -> Any:
            error = sqlite3.OperationalError("unable to open database file")
            error.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN  # type: ignore[attr-defined]
            raise error

        def close(self) -> None:
            pass

    def connect(target: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(target))
        if str(target).endswith("?mode=ro"):
            return NoShm()
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(safety.sqlite3, "connect", connect)
    monkeypatch.setattr(safety.os, "access", lambda *_a: False)
    assert safety.check_before_open(demo, create=False) is False
    assert opened[-1].endswith("?mode=ro&immutable=1")
    damage(demo)
    with pytest.raises(safety.StoreDamaged):
        safety.check_before_open(demo, create=False)


# Missing and empty files -----------------------------------------------------------------


@pytest.mark.parametrize("empty", [False, True])
@pytest.mark.parametrize(
    "command",
    [["usage"], ["units", "add", "Quality"], ["check"], ["backup"], ["import", "calls"]],
)
def test_a_missing_or_empty_file_is_not_made_a_store_by_reads_or_writes(
    tmp_path: Path, empty: bool, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "billing.db"
    if empty:
        path.write_bytes(b"")
    if command[0] == "import":
        (tmp_path / "calls.csv").write_text("id\n", encoding="utf-8")
        command = [*command, str(tmp_path / "calls.csv")]
    assert main(["--store", str(path), *command]) == 2
    line = error_line(capsys)
    assert f"{path}: there is no store here" in line
    assert ("the file is empty" if empty else "no such file") in line
    assert "billing-desktop demo" in line
    assert path.exists() == empty and (not empty or path.stat().st_size == 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(["billing.db"] if empty else []), *(["calls.csv"] if command[0] == "import" else [])]
    )


def test_an_sqlite_file_without_tables_is_not_a_store_either(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "blank.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
    assert main(["--store", str(path), "usage"]) == 2
    assert "the database is empty" in error_line(capsys)


def test_a_database_of_another_program_is_refused_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    before = path.read_bytes()
    assert main(["--store", str(path), "demo", "--today", "2026-11-21"]) == 2
    assert "not a Billing Desktop store" in error_line(capsys)
    assert path.read_bytes() == before


@pytest.mark.parametrize("empty", [False, True])
def test_demo_and_import_account_create_a_store(
    tmp_path: Path, empty: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_path, imported = tmp_path / "demo.db", tmp_path / "imported.db"
    if empty:
        demo_path.write_bytes(b"")
        imported.write_bytes(b"")
    assert main(["--store", str(demo_path), "demo", "--if-empty", "--today", "2026-11-21"]) == 0
    csv = tmp_path / "account.csv"
    csv.write_text(ACCOUNT_CSV, encoding="utf-8")
    assert main(["--store", str(imported), "import", "account", str(csv)]) == 0
    capsys.readouterr()
    assert main(["--store", str(imported), "usage", "--json"]) == 0
    assert '"currency": "EUR"' in capsys.readouterr().out
    assert invoice_count(demo_path) > 0


# Backups ---------------------------------------------------------------------------------


def test_backup_writes_a_checked_copy_beside_the_store_and_lists_it(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", str(demo), "backup"]) == 0
    out = capsys.readouterr().out
    (copy,) = (demo.parent / "backups").iterdir()
    assert re.fullmatch(rf"billing\.{STAMP}\.manual\.db", copy.name)
    assert out.startswith(f"Backed up {demo} to {copy} (")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert invoice_count(copy) == invoice_count(demo)
    assert not Path(f"{copy}-wal").exists()
    for command in (["backups"], ["backup", "--list"]):
        assert main(["--store", str(demo), *command]) == 0
        listed = capsys.readouterr().out.splitlines()
        assert listed[0] == f"Backups of {demo} in {demo.parent / 'backups'}, newest first:"
        assert re.fullmatch(
            rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d  manual +\d+\.\d MB  {copy.name}", listed[1]
        )


def test_backup_out_writes_the_file_given_and_refuses_to_overwrite(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "copy.db"
    assert main(["--store", str(demo), "backup", "--out", str(out)]) == 0
    assert invoice_count(out) == invoice_count(demo)
    capsys.readouterr()
    assert main(["--store", str(demo), "backup", "--out", str(out)]) == 2
    assert "already exists" in error_line(capsys)
    assert main(["--store", str(demo), "backup", "--out", str(tmp_path)]) == 2
    assert "is a folder" in error_line(capsys)
    assert not (demo.parent / "backups").exists()


def test_a_month_close_is_preceded_by_a_backup(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(demo) as conn:
        closed = conn.execute("SELECT count(*) FROM closed_months").fetchone()[0]
    conn.close()
    argv = ["--store", str(demo), "--user", "u001"]
    assert main([*argv, "close-month", "2026-09"]) == 0
    (before,) = backups.list_backups(demo)
    assert before.reason == "pre-close"
    with sqlite3.connect(before.path) as conn:
        assert conn.execute("SELECT count(*) FROM closed_months").fetchone()[0] == closed
    conn.close()
    with sqlite3.connect(demo) as conn:
        assert conn.execute("SELECT count(*) FROM closed_months").fetchone()[0] == closed + 1
    conn.close()


def test_a_month_close_that_cannot_be_backed_up_is_not_made(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo.parent / "backups").write_text("a file where the folder should be")
    before = closed_months(demo)
    assert main(["--store", str(demo), "--user", "u001", "close-month", "2026-09"]) == 2
    assert "cannot create the backup folder" in error_line(capsys)
    assert closed_months(demo) == before
    (demo.parent / "backups").unlink()
    assert main(["--store", str(demo), "--user", "u001", "close-month", "2026-09"]) == 0
    assert closed_months(demo) == before + 1


def test_a_migration_is_preceded_by_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine, "0001")
    engine.dispose()
    store = SqlStore(f"sqlite:///{path}", create=False)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.dispose()
    (before,) = backups.list_backups(path)
    assert before.reason == "pre-migration"
    with sqlite3.connect(before.path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    conn.close()


def test_a_backup_taken_while_another_connection_writes_is_consistent(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer adds pairs of rows (+x, -x) in one transaction each while the copy is taken in
    small steps; the copy is sound and holds whole pairs only (the sum is 0)."""
    monkeypatch.setattr(backups, "STEP_PAGES", 8)
    with sqlite3.connect(demo) as conn:
        conn.execute("CREATE TABLE pairs (amount INTEGER NOT NULL, filler TEXT)")
    conn.close()
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        conn = sqlite3.connect(demo, isolation_level=None, timeout=30)
        n = 0
        while not stop.is_set():
            n += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO pairs VALUES (?, ?)", (n, "x" * 2000))
            conn.execute("INSERT INTO pairs VALUES (?, ?)", (-n, "y" * 2000))
            conn.execute("COMMIT")
            written.append(n)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        messages: list[tuple[float | None, str]] = []
        copy = tmp_path / "copy.db"
        backups.copy_store(demo, copy, lambda done, text: messages.append((done, text)))
    finally:
        stop.set()
        thread.join()
    assert messages  # progress was reported, as a fraction with its text
    assert all(done is None or 0 <= done <= 1 for done, _text in messages)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, total = conn.execute(
            "SELECT count(*), coalesce(sum(amount), 0) FROM pairs"
        ).fetchone()
    conn.close()
    assert count % 2 == 0 and count >= 40 and total == 0


def _backup(folder: Path, taken: datetime, reason: str) -> backups.Backup:
    return backups.Backup(folder / f"s.{taken:%Y%m%d-%H%M%S}.{reason}.db", taken, reason, 1)


def test_rotation_keeps_7_days_5_weeks_the_3_newest_and_every_manual_backup(
    tmp_path: Path,
) -> None:
    today = date(2026, 12, 4)  # a Friday
    made = [
        _backup(tmp_path, datetime(2026, 12, 4, 10) - timedelta(hours=12 * i), "daily")
        for i in range(120)  # two a day for 60 days
    ]
    made.append(_backup(tmp_path, datetime(2026, 6, 1, 9), "manual"))
    keep = backups.to_keep(made, today)
    kept = {b.taken for b in made if b.path in keep}
    at = datetime
    assert kept == {
        # the 3 newest
        at(2026, 12, 4, 10), at(2026, 12, 3, 22), at(2026, 12, 3, 10),
        # the newest of each of the last 7 days (4 and 3 December are kept already)
        at(2026, 12, 2, 22), at(2026, 12, 1, 22), at(2026, 11, 30, 22), at(2026, 11, 29, 22),
        at(2026, 11, 28, 22),
        # the newest of each of the last 5 weeks (from Monday 2 November; the weeks of 30
        # and 23 November are kept already by their Friday and Sunday)
        at(2026, 11, 22, 22), at(2026, 11, 15, 22), at(2026, 11, 8, 22),
    }  # fmt: skip
    assert made[-1].path not in keep  # a manual backup is never rotated (rotate skips it)


def test_rotate_deletes_only_automatic_backups_it_does_not_keep(demo: Path) -> None:
    folder = demo.parent / "backups"
    folder.mkdir()
    names = []
    for days_ago in range(0, 70, 3):
        taken = datetime(2026, 12, 4, 8) - timedelta(days=days_ago)
        for reason in ("daily", "manual"):
            name = f"billing.{taken:%Y%m%d-%H%M%S}.{reason}.db"
            (folder / name).write_bytes(b"x")
            names.append(name)
    (folder / "notes.txt").write_text("mine")
    deleted = backups.rotate(demo, date(2026, 12, 4))
    assert deleted and all(".daily." in p.name for p in deleted)
    left = {p.name for p in folder.iterdir()}
    assert {n for n in names if ".manual." in n} <= left and "notes.txt" in left
    assert len([n for n in left if ".daily." in n]) == len(
        backups.to_keep(backups.list_backups(demo), date(2026, 12, 4))
    )


def test_the_daily_backup_is_taken_once_a_day(demo: Path) -> None:
    assert backups.daily_backup(demo) is not None
    assert backups.daily_backup(demo) is None
    assert [b.reason for b in backups.list_backups(demo)] == ["daily"]


# Restore ---------------------------------------------------------------------------------


def test_restore_puts_the_backup_in_place_and_keeps_the_current_store_aside(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    backups.copy_store(demo, copy)
    argv = ["--store", str(demo)]
    assert main([*argv, "units", "add", "After the backup"]) == 0
    capsys.readouterr()
    assert main([*argv, "restore", str(copy)]) == 0
    out = capsys.readouterr().out.strip()
    (replaced,) = (
        p for p in demo.parent.iterdir() if re.fullmatch(rf"billing\.db\.replaced-{STAMP}", p.name)
    )
    assert out == f"Restored {demo} from {copy}; the previous store was kept as {replaced}."
    with sqlite3.connect(replaced) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM billing_units")}
    conn.close()
    assert "After the backup" in names
    assert main([*argv, "units", "report", "--json"]) == 0
    assert "After the backup" not in capsys.readouterr().out


def test_a_damaged_store_is_restored_from_its_backups(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--store", str(demo)]
    assert main([*argv, "backup"]) == 0
    (backup,) = backups.list_backups(demo)
    damage(demo)
    assert main([*argv, "usage"]) == 2
    capsys.readouterr()
    assert main([*argv, "restore", backup.path.name]) == 0  # the name 'backups' lists
    assert capsys.readouterr().out.strip() == f"Restored {demo} from {backup.path}."
    assert main([*argv, "check"]) == 0


def test_restore_refuses_a_damaged_backup(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.db"
    shutil.copyfile(demo, bad)
    damage(bad)
    before = demo.read_bytes()
    assert main(["--store", str(demo), "restore", str(bad)]) == 2
    assert f"{bad}: the backup is damaged" in error_line(capsys)
    assert demo.read_bytes() == before
    assert sorted(p.name for p in demo.parent.iterdir() if p.name.startswith("billing")) == [
        "billing.db"
    ]


def test_restore_refuses_a_backup_of_a_newer_version(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.db"
    backups.copy_store(demo, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    assert main(["--store", str(demo), "restore", str(newer)]) == 2
    line = error_line(capsys)
    assert "newer version of Billing Desktop (schema 9999_future)" in line
    assert "not restored" in line
    assert not list(demo.parent.glob("billing.db.replaced-*"))


def test_restore_refuses_what_is_not_a_store(tmp_path: Path, demo: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello" * 100)
    with pytest.raises(StoreError, match="not restored"):
        backups.restore(demo, notes, known=known_revisions(), head=head_revision())
    with pytest.raises(StoreError, match="no such file"):
        backups.restore(
            demo, tmp_path / "missing.db", known=known_revisions(), head=head_revision()
        )


def test_an_older_backup_is_restored_and_upgraded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    migrate(engine, "0001")
    engine.dispose()
    store = tmp_path / "billing.db"
    assert main(["--store", str(store), "restore", str(old)]) == 0
    engine = create_engine(f"sqlite:///{store}")
    assert current_revision(engine) == head_revision()
    engine.dispose()


# Check -----------------------------------------------------------------------------------


def test_check_passes_a_sound_store(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(demo), "--user", "u001", "close-month", "2026-09"]) == 0
    capsys.readouterr()
    assert main(["--store", str(demo), "check"]) == 0
    assert capsys.readouterr().out.startswith("The store is sound")


def test_check_names_each_problem_and_exits_2(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(f"sqlite:///{demo}")
    with engine.begin() as conn:
        number = conn.execute(sa.text("SELECT number FROM invoices LIMIT 1")).scalar_one()
        conn.execute(
            sa.text("UPDATE invoices SET amount_minor = amount_minor + 100 WHERE number = :n"),
            {"n": number},
        )
        conn.execute(
            sa.text(
                "UPDATE ledger SET pool = 'credits' WHERE kind = 'invoice' AND reference = "
                "(SELECT max(number) FROM invoices)"
            )
        )
        conn.execute(sa.text("PRAGMA foreign_keys = OFF"))
        conn.execute(
            sa.text("INSERT INTO billing_unit_numbers (number, unit_id) VALUES ('+1', 999)")
        )
    engine.dispose()
    assert main(["--store", str(demo), "check"]) == 2
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert any(line.startswith(f"invoice {number} is for ") for line in lines), lines
    assert any("moves pool 'credits'; it should move none" in line for line in lines), lines
    assert any(line.startswith("foreign key: ") for line in lines), lines
    assert captured.err.strip() == f"billing-desktop: {len(lines)} problems found"


def test_programs_remembering_other_stores_at_once_never_lose_an_entry(tmp_path: Path) -> None:
    """One file per store: a shared list rewritten by every program lost entries (B9 found the
    ten-million-call store checked again for 20 s after another program had run)."""
    stores = []
    for n in range(120):
        path = tmp_path / f"s{n}.db"
        path.write_bytes(b"x")
        stores.append(path)

    def remember(chunk: list[Path]) -> None:
        for path in chunk:
            safety.remember_created(path)

    threads = [threading.Thread(target=remember, args=(stores[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.name for p in stores if not safety.verified_before(p)] == []


def test_only_the_most_recently_remembered_stores_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(safety, "VERIFIED_KEEP", 3)
    stores = []
    for n in range(5):
        path = tmp_path / f"k{n}.db"
        path.write_bytes(b"x")
        safety.remember_created(path)
        stores.append(path)
    assert [safety.verified_before(p) for p in stores] == [False, False, True, True, True]
    safety.forget(stores[-1])
    assert not safety.verified_before(stores[-1])
