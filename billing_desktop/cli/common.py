"""What every command shares: argument types, opening the store, printing results."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from billing_desktop.domain.errors import BillingError

if TYPE_CHECKING:  # the command line imports what a command needs only when it runs
    from billing_desktop.bootstrap import SqlStore
    from billing_desktop.domain.access import Actor
    from billing_desktop.remote.client import HttpStore

PROG = "billing-desktop"


class UsageError(BillingError):
    """Bad command-line input detected after parsing."""


def month_arg(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (YYYY-MM)")
    return text


def day_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def size_arg(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size (WIDTHxHEIGHT, e.g. 1280x800)")
    return int(match.group(1)), int(match.group(2))


def positive_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def duration_arg(text: str) -> Any:
    from billing_desktop.domain.errors import InvalidInput
    from billing_desktop.server.tokens import parse_duration

    try:
        return parse_duration(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False))


def open_from_args(args: argparse.Namespace, create: bool = False) -> SqlStore | HttpStore:
    """The store of ``--store``; a missing or empty file becomes one only with ``create``."""
    from billing_desktop.bootstrap import open_store

    store = open_store(args.store, create=create)
    if hasattr(store, "on_queued"):  # a remote store's replica (remote/replica.py)
        store.on_queued = queued_notice
    return store


def queued_notice(pending: int) -> None:
    """What a change made while the server does not answer prints (PRODUCT §13)."""
    print(
        f"queued ({pending} pending): working offline; '{PROG} sync' sends it to the server",
        file=sys.stderr,
    )


def acting(args: argparse.Namespace) -> tuple[SqlStore | HttpStore, Actor]:
    """The store of ``--store`` and who acts in it: ``--user`` on a local store, the token's
    user on a remote one (the server decides)."""
    from billing_desktop.services.overview import workspace

    store = open_from_args(args)
    return store, store.read(workspace, args.user).actor


def local_store(args: argparse.Namespace, command: str, create: bool = False) -> SqlStore:
    """The store of ``--store``, which must be local (a file or an SQL database) for this."""
    from billing_desktop.bootstrap import SqlStore

    store = open_from_args(args, create)
    if not isinstance(store, SqlStore):
        raise UsageError(
            f"{command} works on the store itself: run it where the store is, with "
            "--store FILE or a database URL"
        )
    return store


def emit(args: argparse.Namespace, as_json: Callable[[], Any], as_text: Callable[[], str]) -> int:
    """Print a command's result: JSON with ``--json``, readable text otherwise."""
    if getattr(args, "json", False):
        print_json(as_json())
    else:
        print(as_text())
    return 0


def month_or_none(text: str | None) -> Any:
    from billing_desktop.domain.periods import Month

    return Month.parse(text) if text else None
