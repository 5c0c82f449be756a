"""Read-only and full stores (issue 15 §2, PRODUCT §10): reads go on, a write is refused with
one line naming the cause, exit 2, and nothing is written.

Read-only is tested for real: the tests run as root here, and root writes a file whatever its
mode bits say, so the commands run in a child process that gives up root first (as nobody) and
proves it cannot write the file or folder before it tries the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import shutil
import stat
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

# What the commands below import only when they run, imported here in the test's process, so
# the unprivileged child (which may not be able to read a checkout in a private folder) has
# them already: the test is about the store's rights, not the source tree's.
import billing_desktop.services.demo
import billing_desktop.services.units  # noqa: F401
from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.store.sql.engine import FULL
from tests.integration.units_workspace import fill

NOBODY = 65534
REPORT = ["units", "report", "--month", "2026-10"]


def _unprivileged(call: Callable[[], Any]) -> Any:
    """``call()`` in a forked child without root's rights (as nobody when run as root);
    returns what it returned (plain data), or fails the test with the child's traceback."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(reading)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            payload = pickle.dumps(("ok", call()))
        except BaseException:
            payload = pickle.dumps(("crashed", traceback.format_exc()))
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    outcome, value = pickle.loads(data)
    assert outcome == "ok", value
    return value


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def _may_write(path: Path) -> bool:
    """Whether this process can really write ``path`` (a file: open it to append; a folder:
    create a file in it) — not what the mode bits say."""
    try:
        if path.is_dir():
            probe = path / ".probe"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            with path.open("ab"):
                pass
    except PermissionError:
        return False
    return True


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder the unprivileged child can reach (pytest's own temporary folders are root's
    alone)."""
    top = Path(tempfile.mkdtemp(prefix="billing-faults-"))
    top.chmod(0o755)
    try:
        yield top
    finally:
        for path in [top, *top.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(top)


@pytest.fixture
def workspace(shared_folder: Path) -> Path:
    """A small workspace in ``shared_folder/…/billing.db``, closed (no -wal or -shm). The
    folder's name has what a file URI must escape."""
    folder = shared_folder / "store #1 (shared)"
    folder.mkdir()
    path = folder / "billing.db"
    store = SqlStore(f"sqlite:///{path}")
    with store(write=True) as uow:
        fill(uow)
        uow.commit()
    store.dispose()
    # The same commands once with root's rights on a copy: the child then finds every module
    # it needs already imported (it may not read the Python installation under /root).
    warm = shared_folder / "warm.db"
    shutil.copyfile(path, warm)
    assert _cli("--store", str(warm), *REPORT)[0] == 0
    assert _cli("--store", str(warm), "units", "add", "Warm")[0] == 0
    SqlStore(f"sqlite:///{warm}").dispose()
    return path


def _read_and_write(path: Path, blocked: Path) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        store = SqlStore(f"sqlite:///{path}")
        description = store.description
        store.dispose()
        return {
            "may_write": _may_write(blocked),
            "description": description,
            "read": _cli("--store", str(path), *REPORT),
            "write": _cli("--store", str(path), "units", "add", "Refused"),
        }

    return _unprivileged(run)


def test_a_read_only_file_is_read_and_a_write_refused_in_one_line(workspace: Path) -> None:
    workspace.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    workspace.parent.chmod(0o777)  # the folder is writable: SQLite may keep its -shm there
    before = _digest(workspace)
    seen = _read_and_write(workspace, workspace)
    assert seen["may_write"] is False  # not fooled by root's rights
    assert seen["description"] == f"Local store: {workspace} (read-only)"
    status, out, err = seen["read"]
    assert (status, err) == (0, "") and "Sales" in out
    status, out, err = seen["write"]
    assert (status, out) == (2, "")
    assert err == f"billing-desktop: error: {workspace} is read-only: nothing was changed\n"
    assert _digest(workspace) == before


def test_a_read_only_folder_is_read_and_a_write_refused_in_one_line(workspace: Path) -> None:
    """SQLite cannot make its -wal and -shm files there: the store is read as it stands
    (before, even reads were refused as "not a usable store")."""
    workspace.chmod(0o666)  # the file itself could be written
    workspace.parent.chmod(0o555)
    before = _digest(workspace)
    seen = _read_and_write(workspace, workspace.parent)
    assert seen["may_write"] is False
    assert seen["description"].endswith("(read-only)")
    status, out, err = seen["read"]
    assert (status, err) == (0, "") and "Sales" in out
    status, out, err = seen["write"]
    assert (status, out) == (2, "")
    assert err == (
        f"billing-desktop: error: {workspace.parent} is read-only: nothing was changed\n"
    )
    assert _digest(workspace) == before
    assert sorted(p.name for p in workspace.parent.iterdir()) == ["billing.db"]


def test_a_store_cannot_be_created_in_a_read_only_folder(shared_folder: Path) -> None:
    folder = shared_folder / "locked"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    # demo creates a store on purpose (a read of a missing file only says there is none)
    seen = _unprivileged(lambda: _cli("--store", str(folder / "new.db"), "demo"))
    status, _, err = seen
    assert status == 2
    assert err == (
        f"billing-desktop: error: cannot create a store in {folder}: the folder is read-only; "
        "nothing was changed\n"
    )
    assert list(folder.iterdir()) == []


# --- a full disk ------------------------------------------------------------------------------


@contextlib.contextmanager
def disk_full_now() -> Iterator[None]:
    """Every SQLite connection opened meanwhile finds the disk full: its file may not grow
    past the pages it has (SQLite's page limit gives the same SQLITE_FULL as a full disk)."""

    def cap(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(sa.pool.Pool, "connect", cap)
    try:
        yield
    finally:
        event.remove(sa.pool.Pool, "connect", cap)


def _sms_file(folder: Path, rows: int) -> Path:
    path = folder / "sms.csv"
    lines = ["id,type,campaign,sent_at"]
    lines += [f"sms-{n},outbound,Fall hiring,2026-10-20T10:00:00Z" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_full_disk_is_one_line_and_exit_2_and_nothing_is_written(
    store: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with store(write=True) as uow:
        fill(uow)
        uow.commit()
    store.dispose()
    with store() as uow:
        sms_before = uow.sms.count()
    store.dispose()
    csv = _sms_file(tmp_path, 3000)
    with disk_full_now():
        status = main(["--store", str(store_path), "import", "sms", str(csv)])
        captured = capsys.readouterr()
        assert (status, captured.out) == (2, "")
        assert captured.err == f"billing-desktop: error: {FULL}\n"
        # Reads go on.
        assert main(["--store", str(store_path), *REPORT]) == 0
    with store() as uow:
        assert uow.sms.count() == sms_before
    # With room again the same import goes through.
    assert main(["--store", str(store_path), "import", "sms", str(csv)]) == 0
    with store() as uow:
        assert uow.sms.count() == sms_before + 3000


def test_a_full_disk_in_a_unit_of_work_raises_the_one_line(store: SqlStore) -> None:
    with disk_full_now():
        store.dispose()  # new connections: capped
        with pytest.raises(Exception) as raised, store(write=True) as uow:
            uow.connection.exec_driver_sql("CREATE TABLE filler (x BLOB)")
            uow.connection.exec_driver_sql("INSERT INTO filler VALUES (zeroblob(4000000))")
    assert type(raised.value).__name__ == "StoreError"
    assert str(raised.value) == FULL
    store.dispose()
    with store() as uow:
        names = uow.connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars()
        assert "filler" not in list(names)
