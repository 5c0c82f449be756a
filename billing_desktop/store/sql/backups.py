"""Backups of a local SQLite store: consistent copies, rotation, restore.

* **Consistent**: a copy is made with SQLite's online backup API (``sqlite3.Connection.backup``)
  from one read transaction, so it is safe while the app, the server or a command writes; the
  copy is checked (``quick_check``) and written under a temporary name, then renamed.
* **Where**: a ``backups`` folder beside the store, named ``<store>.<YYYYMMDD-HHMMSS>.<reason>.db``
  (``billing.20261204-101500.daily.db``). Beside the store, because a backup then goes wherever
  the store goes (another disk, a shared folder, a copied folder) and every store has its own.
* **When** (``reason``): ``pre-migration`` before a schema upgrade, ``pre-close`` before a month
  close, ``daily`` once a day when the app opens the store, ``manual`` when asked for
  (``backup``, File ▸ Back up now…).
* **Rotation** of the automatic ones (manual backups are never deleted): the newest of each of
  the last 7 days, the newest of each of the last 5 weeks, and always the 3 newest.
* **Restore** refuses a damaged backup and one written by a newer version, and keeps the current
  store aside as ``<store>.replaced-<timestamp>``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from billing_desktop.domain.errors import StoreError
from billing_desktop.store.sql import safety
from billing_desktop.store.sql.backup_policy import BackupPolicy, load_policy, store_backup_folder

BACKUP_FOLDER = "backups"
MANUAL = "manual"
AUTOMATIC = ("daily", "pre-migration", "pre-close")
REASONS = (MANUAL, *AUTOMATIC)
KEEP_DAYS = 7  # the defaults; Preferences may change them (backup_policy)
KEEP_WEEKS = 5
KEEP_NEWEST = 3
STEP_PAGES = 4096  # 16 MB at the default page size: progress between steps
MAX_RESTARTS = 3  # a writer restarts a stepped copy; after that it is copied in one step

# Told how far a copy is: the fraction done (None when unknown) and a text to show.
Progress = Callable[[float | None, str], None]


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken: datetime  # local time, from the file name
    reason: str
    size: int

    @property
    def automatic(self) -> bool:
        return self.reason in AUTOMATIC


def backup_folder(store: Path) -> Path:
    """Beside the store, or under the folder chosen in Preferences (``backup_policy``)."""
    return store_backup_folder(store, load_policy())


def _pattern(store: Path) -> re.Pattern[str]:
    reasons = "|".join(re.escape(r) for r in REASONS)
    return re.compile(rf"{re.escape(store.stem)}\.(\d{{8}}-\d{{6}})(?:-\d+)?\.({reasons})\.db")


def backup_path(store: Path, reason: str, now: datetime | None = None) -> Path:
    """A new file name in the store's backup folder (``-2``, ``-3``… within one second)."""
    stamp = safety.timestamp(now)
    folder = backup_folder(store)
    candidate = folder / f"{store.stem}.{stamp}.{reason}.db"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{store.stem}.{stamp}-{n}.{reason}.db"
    return candidate


def list_backups(store: Path) -> list[Backup]:
    """The backups of ``store`` in its backup folder, newest first."""
    folder = backup_folder(store)
    if not folder.is_dir():
        return []
    pattern = _pattern(store)
    found: list[Backup] = []
    for entry in folder.iterdir():
        match = pattern.fullmatch(entry.name)
        if not match or not entry.is_file():
            continue
        taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
        found.append(Backup(entry, taken, match.group(2), entry.stat().st_size))
    found.sort(key=lambda b: (b.taken, b.path.name), reverse=True)
    return found


def human_size(size: int) -> str:
    """1,234 bytes, 12.3 KB, 45.6 MB, 1.2 GB."""
    if size < 1024:
        return f"{size:,} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


def _detail(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class _Restarted(Exception):
    """A writer changed the source several times during a stepped copy."""


def copy_store(source: Path, target: Path, progress: Progress | None = None) -> None:
    """A consistent, checked, self-contained copy of the SQLite file ``source`` at ``target``.

    Written as ``<target>.partial`` first and renamed, so ``target`` is never half written."""
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with safety.plain_connection(source, readonly=True) as src:
            try:
                _backup(src, partial, progress)
            except _Restarted:
                partial.unlink(missing_ok=True)
                if progress:
                    progress(None, "the store is being written; copying it in one step")
                _backup(src, partial, None)
        with safety.plain_connection(partial) as copy:
            # One file: the copy keeps no WAL of its own (the source's header says WAL).
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = safety.quick_check(copy)
        if problems:
            raise StoreError(
                f"{source}: the copy failed its integrity check ({problems[0]}); the store may "
                "be damaged: run 'billing-desktop check'"
            )
        with open(partial, "r+b") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot back up {source} to {target}: {_detail(exc)}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _backup(src: sqlite3.Connection, partial: Path, progress: Progress | None) -> None:
    restarts = 0
    last_remaining = -1

    def step(_status: int, remaining: int, total: int) -> None:
        nonlocal restarts, last_remaining
        if last_remaining >= 0 and remaining > last_remaining:
            restarts += 1
            if restarts > MAX_RESTARTS:
                raise _Restarted
        last_remaining = remaining
        if progress and total:
            done = (total - remaining) / total
            progress(done, f"{int(done * 100)}%")

    dst = sqlite3.connect(partial)
    try:
        if progress is None:
            src.backup(dst)  # one step: one read transaction, never restarted
        else:
            src.backup(dst, pages=STEP_PAGES, progress=step)
    finally:
        dst.close()


def take_backup(
    store: Path,
    reason: str = MANUAL,
    *,
    out: Path | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Path:
    """Back ``store`` up to ``out`` or into its backup folder; rotate the automatic ones."""
    if reason not in REASONS:
        raise ValueError(reason)
    if safety.is_blank(store):
        raise StoreError(f"{store}: there is no store here to back up")
    if out is None:
        folder = backup_folder(store)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the backup folder {folder}: {_detail(exc)}") from None
        target = backup_path(store, reason, now)
    else:
        target = out
    copy_store(store, target, progress)
    if out is None:
        rotate(store, (now or datetime.now()).date())
    return target


def backed_up_on(store: Path, day: date) -> bool:
    return any(b.taken.date() == day for b in list_backups(store))


def daily_backup(store: Path, progress: Progress | None = None) -> Path | None:
    """The app's daily backup: taken when no backup of ``store`` was taken today."""
    now = datetime.now()
    if safety.is_blank(store) or backed_up_on(store, now.date()):
        return None
    return take_backup(store, "daily", progress=progress, now=now)


def to_keep(backups: list[Backup], today: date, policy: BackupPolicy | None = None) -> set[Path]:
    """Which automatic backups rotation keeps: the newest of each of the last ``keep_days``
    days and of each of the last ``keep_weeks`` ISO weeks, and the ``keep_newest`` newest
    (``policy``, by default the one saved in Preferences: 7, 5 and 3)."""
    policy = policy or load_policy()
    automatic = sorted((b for b in backups if b.automatic), key=lambda b: b.taken, reverse=True)
    keep = {b.path for b in automatic[: policy.keep_newest]}
    days: set[date] = set()
    weeks: set[tuple[int, int]] = set()
    first_day = today - timedelta(days=policy.keep_days - 1)
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=policy.keep_weeks - 1)
    for backup in automatic:  # newest first: the first seen of a day or week is its newest
        day = backup.taken.date()
        if first_day <= day <= today and day not in days:
            days.add(day)
            keep.add(backup.path)
        week = day.isocalendar()[:2]
        if day >= first_monday and week not in weeks:
            weeks.add(week)
            keep.add(backup.path)
    return keep


def rotate(store: Path, today: date | None = None) -> list[Path]:
    """Delete the automatic backups rotation does not keep; the deleted files."""
    backups = list_backups(store)
    keep = to_keep(backups, today or date.today())
    deleted: list[Path] = []
    for backup in backups:
        if backup.automatic and backup.path not in keep:
            try:
                backup.path.unlink()
            except OSError:
                continue
            deleted.append(backup.path)
    return deleted


def check_backup(path: Path, known: AbstractSet[str], head: str) -> str:
    """Why ``path`` cannot be restored, or "" when it can (a sound store of a known schema)."""
    if not path.is_file():
        return f"{path}: no such file"
    if path.stat().st_size == 0:
        return f"{path}: the file is empty; not restored"
    try:
        with safety.plain_connection(path, readonly=True) as conn:
            tables = safety.table_names(conn)
            if "alembic_version" not in tables:
                return f"{path}: not a Billing Desktop store; not restored"
            problems = safety.quick_check(conn)
            if problems:
                return f"{path}: the backup is damaged ({problems[0]}); not restored"
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        return f"{path}: the backup is damaged or not a store ({_detail(exc)}); not restored"
    revision = str(row[0]) if row else None
    if revision is None:
        return f"{path}: not a Billing Desktop store (no schema version); not restored"
    if revision != head and revision not in known:
        return (
            f"{path}: the backup was written by a newer version of Billing Desktop (schema "
            f"{revision}); update the application to restore it; not restored"
        )
    return ""


def restore(
    store: Path,
    backup: Path,
    *,
    known: AbstractSet[str],
    head: str,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Replace ``store`` by a copy of ``backup``; the current store is kept aside as
    ``<store>.replaced-<timestamp>`` (returned; None when there was no store)."""
    problem = check_backup(backup, known, head)
    if problem:
        raise StoreError(problem)
    if backup.resolve() == store.resolve():
        raise StoreError(f"{backup} is the store itself; choose a backup")
    if not store.parent.is_dir():
        raise StoreError(f"cannot restore to {store}: no such folder {store.parent}")
    incoming = store.with_name(f".{store.name}.restoring")
    copy_store(backup, incoming, progress)
    try:
        replaced = None if safety.is_blank(store) else safety.move_aside(store, "replaced", now)
        if replaced is None:
            for suffix in ("", *safety.COMPANIONS):
                Path(f"{store}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, store)
    except OSError as exc:
        incoming.unlink(missing_ok=True)
        raise StoreError(f"cannot restore to {store}: {_detail(exc)}") from None
    safety.forget(store)
    return replaced
