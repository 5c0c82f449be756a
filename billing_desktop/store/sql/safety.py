"""What happens before a local SQLite store is used: is there a store, and is it sound?

* A missing or empty file (zero length, or an SQLite file with no tables) is not a store. It
  becomes one only when the caller means to create one (``create=True``: ``demo``,
  ``import account``, the GUI's File ▸ New store…); a read or an ordinary write refuses it.
* A store is checked with ``PRAGMA quick_check`` before it is used. A damaged one is moved
  aside next to itself (``billing.db.damaged-<timestamp>`` with its ``-wal`` and ``-shm``),
  never deleted, and :class:`StoreDamaged` names both files.
* ``quick_check`` reads every page (about 2 s for the 1M-call demo store), so a check that
  passed is remembered per file (device, inode, size and modification time of the file and of
  its ``-wal``) in the per-user cache folder: an unchanged file is not read again. Damage
  written by anything but SQLite changes the modification time, so it is always seen.

Only the standard library's ``sqlite3`` is used here: nothing in this module goes through the
engine's connect hook, which would switch a file to WAL mode (a write) before it was checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import platformdirs

from billing_desktop import APP_ID
from billing_desktop.domain.errors import StoreError

COMPANIONS = ("-wal", "-shm", "-journal")
VERIFIED_DIR = "verified-stores"  # one small file per store whose check passed
VERIFIED_KEEP = 256  # stores remembered; the least recently remembered are dropped
BUSY_TIMEOUT_MS = 5000
CREATE_HINT = (
    "create one with 'billing-desktop demo' or 'billing-desktop import account FILE', "
    "or with File ▸ New store… in the app"
)


class StoreDamaged(StoreError):
    """The store failed its integrity check and was moved aside (``moved_to``)."""

    def __init__(self, message: str, path: Path, moved_to: Path | None, detail: str) -> None:
        super().__init__(message)
        self.path = path
        self.moved_to = moved_to
        self.detail = detail


class NoStore(StoreError):
    """There is no store at the path (missing or empty file) and none was to be created.

    ``path`` is the file (None for a database server); ``reason`` says what is there."""

    def __init__(self, message: str, path: Path | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


def timestamp(now: datetime | None = None) -> str:
    """A file-name-safe local timestamp: 20261204-101500."""
    return (now or datetime.now()).strftime("%Y%m%d-%H%M%S")


@contextlib.contextmanager
def plain_connection(path: Path, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    """A bare ``sqlite3`` connection (no pragmas that write), closed on exit."""
    conn = _open_readonly(path) if readonly else sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield conn
    finally:
        conn.close()


def _cannot_open(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool((code & 0xFF) == sqlite3.SQLITE_CANTOPEN)
    return "unable to open" in str(exc)


def _read_only(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool((code & 0xFF) == sqlite3.SQLITE_READONLY)
    return "readonly" in str(exc)


def _open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection. In a folder this user cannot write, a WAL store closed cleanly
    (no -wal) cannot get the -shm SQLite wants; it is then read as immutable, which it is."""
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        # SQLite says "unable to open" or "attempt to write a readonly database" (it cannot
        # create the -shm), as its version and the folder's rights have it.
        if not (_cannot_open(exc) or _read_only(exc)) or Path(f"{path}-wal").exists():
            return conn  # the caller's first statement meets the same error
        if os.access(path.parent, os.W_OK):
            return conn
        conn.close()
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        pass  # a damaged or foreign file: the caller's first statement says so
    return conn


def is_blank(path: Path) -> bool:
    """No store here: the file is missing, or empty (and no ``-wal`` holds its pages)."""
    try:
        if path.stat().st_size > 0:
            return False
    except FileNotFoundError:
        return True
    wal = Path(f"{path}-wal")
    return not (wal.exists() and wal.stat().st_size > 0)


def _detail(exc: sqlite3.Error) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _is_corruption(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool((code & 0xFF) == sqlite3.SQLITE_CORRUPT)
    return "malformed" in str(exc)


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` reports (an empty list when the file is sound)."""
    rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check(20)").fetchall()]
    if rows == ["ok"]:
        return []
    lines = [line.strip() for row in rows for line in row.splitlines()]
    return [line for line in lines if line and not line.startswith("***")] or rows


def table_names(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in rows}


# The cache of files whose check passed -------------------------------------------------


def _cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)) / VERIFIED_DIR


def _entry(path: Path) -> tuple[Path, str]:
    """The cache file of ``path`` (named by a hash of its resolved path) and that path."""
    key = str(path.resolve())
    return _cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json", key


def file_stamp(path: Path) -> list[int] | None:
    """What changes when anything writes the file or its WAL: device, inode, size, mtime. An
    empty WAL counts as none: it holds no page, so the store is its file alone (a program
    that read the store and ended without closing it leaves one behind)."""
    stamp: list[int] = []
    for name in (str(path), f"{path}-wal"):
        try:
            st = os.stat(name)
        except FileNotFoundError:
            st = None
        if st is None or (st.st_size == 0 and name != str(path)):
            stamp += [0, 0, -1, 0]
            continue
        stamp += [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
    return stamp


def _remembered(path: Path) -> list[int] | None:
    entry, key = _entry(path)
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("path") != key:
        return None
    stamp = data.get("stamp")
    return stamp if isinstance(stamp, list) else None


def _remember(path: Path, stamp: list[int] | None) -> None:
    """Write (or, with None, remove) this store's entry. Each store has a file of its own,
    replaced atomically, so programs remembering other stores at the same time never undo
    this one (a single shared file lost entries to concurrent read-modify-writes)."""
    entry, key = _entry(path)
    try:
        if stamp is None:
            entry.unlink(missing_ok=True)
            return
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_name(f"{entry.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps({"path": key, "stamp": stamp}), encoding="utf-8")
        os.replace(partial, entry)
        _prune(entry.parent)
    except OSError:
        pass  # only a cache: the next open checks again


def _prune(folder: Path) -> None:
    """Keep the ``VERIFIED_KEEP`` most recently remembered stores (a dropped one is checked
    again on its next open, nothing worse)."""
    entries = list(folder.glob("*.json"))
    if len(entries) <= VERIFIED_KEEP:
        return

    def age(entry: Path) -> int:
        try:
            return entry.stat().st_mtime_ns
        except OSError:
            return 0

    for old in sorted(entries, key=age)[: len(entries) - VERIFIED_KEEP]:
        old.unlink(missing_ok=True)


def verified_before(path: Path) -> bool:
    """The file has not changed since its last passing check."""
    stamp = file_stamp(path)
    return stamp is not None and _remembered(path) == stamp


def forget(path: Path) -> None:
    _remember(path, None)


def remember_created(path: Path) -> None:
    """Remember ``path`` as checked: a store this process created from a blank file, filled
    through SQLite and closed cleanly (``SqlDatabase.close_created``). Checking it would read
    every page it just wrote (about 15 s for the ten-million-call demo, B9); a crash before
    the close leaves it unremembered, so its next open checks it."""
    _remember(path, file_stamp(path))


# Moving a damaged or replaced store aside ----------------------------------------------


def move_aside(path: Path, label: str, now: datetime | None = None) -> Path:
    """Rename ``path`` (with its -wal, -shm) to ``<name>.<label>-<timestamp>``; never delete."""
    base = f"{path.name}.{label}-{timestamp(now)}"
    target = path.with_name(base)
    n = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *COMPANIONS)):
        n += 1
        target = path.with_name(f"{base}-{n}")
    os.rename(path, target)
    for suffix in COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            os.rename(companion, Path(f"{target}{suffix}"))
    forget(path)
    return target


def _damaged(path: Path, detail: str) -> StoreDamaged:
    try:
        moved = move_aside(path, "damaged")
    except OSError as exc:
        return StoreDamaged(
            f"{path} is damaged ({detail}) and could not be moved aside ({exc.strerror or exc}); "
            "close every program using it, then restore a backup with "
            "'billing-desktop restore FILE'",
            path,
            None,
            detail,
        )
    return StoreDamaged(
        f"{path} is damaged ({detail}); it was moved aside to {moved} (nothing was deleted). "
        "Restore a backup with 'billing-desktop restore FILE' ('billing-desktop backups' lists "
        "them)",
        path,
        moved,
        detail,
    )


def _drop_own_companions(path: Path, existed: set[str]) -> None:
    """Remove the empty -wal and the -shm the check's own connection created, so a damaged
    store moves aside with exactly the files it had."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    with contextlib.suppress(OSError):
        if "-wal" not in existed and wal.exists() and wal.stat().st_size == 0:
            wal.unlink()
            if "-shm" not in existed:
                shm.unlink(missing_ok=True)


def check_before_open(path: Path, *, create: bool) -> bool:
    """Make sure ``path`` may be opened as a store; True when it is blank (a new store).

    Raises :class:`NoStore` for a blank file without ``create``, :class:`StoreDamaged` (after
    moving the file aside) for a damaged store, and StoreError for a file that is not a
    Billing Desktop store (left untouched)."""
    if is_blank(path):
        if not create:
            what = "no such file" if not path.exists() else "the file is empty"
            aside = sorted(path.parent.glob(f"{path.name}.damaged-*[0-9]"))
            if aside:
                what += f"; the damaged store was moved aside to {aside[-1]}"
            raise NoStore(f"{path}: there is no store here ({what}); {CREATE_HINT}", path, what)
        return True
    if verified_before(path):
        return False
    stamp = file_stamp(path)
    existed = {suffix for suffix in ("-wal", "-shm") if Path(f"{path}{suffix}").exists()}
    damage: str | None = None
    try:
        # Read-only: checking never writes (no recovery, no checkpoint into a damaged file).
        with plain_connection(path, readonly=True) as conn:
            try:
                tables = table_names(conn)
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc):
                    raise StoreError(f"{path}: not a usable store ({_detail(exc)})") from None
                damage = _detail(exc)
                tables = set()
            if damage is None:
                if not tables:
                    if not create:
                        raise NoStore(
                            f"{path}: there is no store here (the database is empty); "
                            f"{CREATE_HINT}",
                            path,
                            "the database is empty",
                        )
                    return True
                if "alembic_version" not in tables:
                    raise StoreError(
                        f"{path}: not a usable store (an SQLite database of another "
                        "program, not a Billing Desktop store); it was left untouched"
                    )
                try:
                    problems = quick_check(conn)
                except sqlite3.DatabaseError as exc:
                    if not _is_corruption(exc):
                        raise
                    problems = [_detail(exc)]
                if problems:
                    more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
                    damage = f"integrity check: {problems[0]}{more}"
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot check the store ({_detail(exc)})") from None
    if damage is not None:
        _drop_own_companions(path, existed)
        raise _damaged(path, damage)
    _remember(path, stamp)
    return False


def full_check(path: Path) -> list[str]:
    """``integrity_check`` (pages, indexes against tables) and ``foreign_key_check``: one
    line per problem found in the SQLite file ``path``."""
    problems: list[str] = []
    try:
        with plain_connection(path, readonly=True) as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(100)").fetchall()]
            if rows != ["ok"]:
                problems += [f"integrity check: {row}" for row in rows]
            for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
                problems.append(
                    f"foreign key: row {rowid} of table {table} refers to a missing {parent} row"
                )
    except sqlite3.DatabaseError as exc:
        problems.append(f"cannot read the store: {_detail(exc)}")
    return problems
