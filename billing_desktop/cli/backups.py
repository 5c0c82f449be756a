"""Backups, restore and check (PRODUCT §10)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from billing_desktop.cli.common import (
    PROG,
    UsageError,
    local_store,
)
from billing_desktop.cli.registry import Handler


def register(commands: Any) -> dict[str, Handler]:
    backup = commands.add_parser(
        "backup",
        help="back up a local store (a consistent copy, safe while the app runs)",
        description="Copy the store with SQLite's online backup API into the 'backups' folder "
        "beside it (or to --out FILE), and check the copy. A PostgreSQL store is backed up "
        "with pg_dump.",
    )
    backup.add_argument("--out", type=Path, default=None, metavar="FILE", help="write here")
    backup.add_argument(
        "--list", action="store_true", help="list the store's backups instead (as 'backups')"
    )
    commands.add_parser(
        "backups",
        help="list the backups of a local store, newest first",
        description="List the backups in the 'backups' folder beside the store: when, why, "
        "size and file.",
    )
    restore = commands.add_parser(
        "restore",
        help="replace a local store by a backup (the current store is kept aside)",
        description="Check the backup (refused when damaged or written by a newer version), "
        "keep the current store aside as <store>.replaced-<timestamp>, and put a copy of the "
        "backup in its place. Close the app and other programs using the store first.",
    )
    restore.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="the backup to restore: a path, or a file name 'backups' lists",
    )
    commands.add_parser(
        "check",
        help="check a store: integrity, foreign keys and the ledger's sums",
        description="Run SQLite's integrity_check and foreign_key_check, and check the "
        "ledger against the invoices and closed months. Exit 0 when sound, 2 with one line per "
        "problem otherwise.",
    )
    return {
        "backup": _cmd_backup,
        "backups": _cmd_backups,
        "restore": _cmd_restore,
        "check": _cmd_check,
    }


def _sqlite_file(store: Any, command: str) -> Path:
    path: Path | None = getattr(store, "path", None)
    if path is None:
        raise UsageError(
            f"{command}: {store.description} is a database server: back it up and restore it "
            "with its own tools (PostgreSQL: pg_dump and pg_restore)"
        )
    return path


def _store_path_for_restore(args: argparse.Namespace) -> Path:
    """The store file ``restore`` replaces: it may be missing, empty or damaged."""
    import sqlalchemy as sa

    from billing_desktop.config import is_remote, store_url
    from billing_desktop.store.sql.engine import sqlite_path

    url = store_url(args.store)
    path = None if is_remote(url) else sqlite_path(sa.make_url(url))
    if path is None:
        raise UsageError(
            "restore: only a local SQLite store is restored here; restore a database server "
            "with its own tools (PostgreSQL: pg_restore)"
        )
    return path


def _cmd_backups(args: argparse.Namespace) -> int:
    from billing_desktop.store.sql.backups import backup_folder, human_size, list_backups

    path = _sqlite_file(local_store(args, "backups"), "backups")
    found = list_backups(path)
    if not found:
        print(f"No backups of {path} in {backup_folder(path)}.")
        return 0
    print(f"Backups of {path} in {backup_folder(path)}, newest first:")
    for item in found:
        print(f"{item.taken:%Y-%m-%d %H:%M:%S}  {item.reason:<13}  {human_size(item.size):>10}  "
              f"{item.path.name}")  # fmt: skip
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from billing_desktop.store.sql.backups import human_size

    if args.list:
        return _cmd_backups(args)
    store = local_store(args, "backup")
    _sqlite_file(store, "backup")
    out: Path | None = args.out
    if out is not None:
        if out.is_dir():
            raise UsageError(f"--out {out} is a folder: give a file name, e.g. billing-copy.db")
        if not out.parent.is_dir():
            raise UsageError(f"--out {out}: no such folder {out.parent}")
        if out.exists():
            raise UsageError(f"--out {out} already exists; choose a new file name")

    def progress(_done: float | None, text: str) -> None:
        print(f"\rBacking up… {text}", end="", file=sys.stderr, flush=True)

    written = store.backup("manual", out=out, progress=progress if sys.stderr.isatty() else None)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Backed up {store.path} to {written} ({human_size(written.stat().st_size)}).")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from billing_desktop.store.sql import backups
    from billing_desktop.store.sql.engine import head_revision, known_revisions

    path = _store_path_for_restore(args)
    chosen: Path = args.file
    listed = backups.backup_folder(path) / chosen.name
    if not chosen.exists() and chosen.name == str(chosen) and listed.is_file():
        chosen = listed  # a name from 'billing-desktop backups'
    replaced = backups.restore(path, chosen, known=known_revisions(), head=head_revision())
    local_store(
        args, "restore"
    ).dispose()  # opens, checks and (for an older backup) upgrades the restored store
    kept = f"; the previous store was kept as {replaced}" if replaced else ""
    print(f"Restored {path} from {chosen}{kept}.")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from billing_desktop.services.integrity import ledger_problems
    from billing_desktop.store.sql.safety import full_check

    store = local_store(args, "check")
    problems: list[str] = []
    path: Path | None = store.path
    if path is not None:
        problems += full_check(path)
    with store() as uow:
        problems += ledger_problems(uow)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{PROG}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found",
              file=sys.stderr)  # fmt: skip
        return 2
    checked = "integrity, foreign keys and " if path is not None else ""
    print(f"The store is sound ({checked}the ledger's sums checked).")
    return 0
