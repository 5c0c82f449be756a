"""Offline work on a shared workspace (PRODUCT §13): ``sync`` and ``outbox``.

Every command on a remote store (``--store https://…``) reads from the local replica, so it
works with the server down; a change made while the server does not answer is queued and
prints "queued (N pending)". ``sync`` sends the outbox and brings the replica up to date.

Exit status of ``sync``: 0 when every change was applied, 3 when conflicts or refusals wait
for the user (``outbox``), 2 on an error (the server does not answer, a refused sign-in).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from billing_desktop.cli.common import PROG, UsageError, emit, positive_arg, queued_notice
from billing_desktop.cli.registry import Handler

if TYPE_CHECKING:
    from billing_desktop.remote.replica import ReplicaStore

WAITING_EXIT = 3


def register(commands: Any) -> dict[str, Handler]:
    sync = commands.add_parser(
        "sync",
        help="send the changes made offline, then bring this machine's copy up to date",
        description="On a remote store (--store https://…): send the outbox in order (each "
        "change once, however often it is sent), then fetch what changed on the server into "
        "this machine's replica. Exit 0 when every change was applied, 3 when conflicts or "
        "refusals wait (see 'outbox'), 2 on an error.",
    )
    sync.add_argument("--json", action="store_true", help="print the result as JSON")

    outbox = commands.add_parser(
        "outbox",
        help="the changes made offline: list, preview, export, discard, apply mine, edit",
        description="The changes made while the server did not answer, with their status "
        "(pending, applied, conflict, refused, discarded). 'preview' asks the server what "
        "each pending change would do (nothing is applied); 'export FILE' writes the whole "
        "outbox as JSON; 'discard ID' keeps the server's state (the entry stays, as a log); "
        "'apply-mine ID' sends a conflicting change again on top of the server's; 'edit ID "
        "FIELD=VALUE…' replaces a conflicting or refused change by the same change with those "
        "arguments, based on the server's current version (the original stays as superseded; "
        "run 'sync' to send it).",
    )
    outbox.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "preview", "export", "discard", "apply-mine", "edit"),
        help="what to do (default: list)",
    )
    outbox.add_argument("target", nargs="?", default=None, metavar="FILE|ID")
    outbox.add_argument(
        "values",
        nargs="*",
        metavar="FIELD=VALUE",
        help="edit: the arguments to change (see 'outbox list --json'); a value that is not "
        "text is given as JSON (42, true, null, [1, 2])",
    )
    outbox.add_argument("--json", action="store_true", help="print the result as JSON")
    return {"sync": _cmd_sync, "outbox": _cmd_outbox}


def _replica_store(args: argparse.Namespace, command: str) -> ReplicaStore:
    from billing_desktop.config import is_remote, store_url

    url = store_url(args.store)
    if not is_remote(url):
        raise UsageError(
            f"{command} works on a remote store (--store https://…); a local store is always "
            "up to date"
        )
    from billing_desktop.remote.replica import ReplicaStore

    store = ReplicaStore(url, auto_sync=False)
    store.on_queued = queued_notice
    return store


def _cmd_sync(args: argparse.Namespace) -> int:
    store = _replica_store(args, "sync")
    try:
        report = store.sync()
    finally:
        store.close()
    waiting = report.conflicts + report.refused

    def text() -> str:
        lines = [
            f"synced as of {report.synced_at}: {report.fetched_rows} rows fetched, "
            f"{report.applied} change(s) applied"
        ]
        if waiting:
            lines.append(
                f"{report.conflicts} conflict(s) and {report.refused} refusal(s) wait: see "
                f"'{PROG} outbox'"
            )
        return "\n".join(lines)

    emit(args, report.as_json, text)
    return WAITING_EXIT if waiting else 0


def _entry_json(op: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": op["seq"],
        "status": op["status"],
        "operation": op["operation"],
        "arguments": op["arguments"],
        "request": bool(op["request"]),
        "created_at": op["created_at"],
        "reason": op["reason"],
        "idempotency_key": op["key"],
        "if_match": op["if_match"],
        "base": op["base"],
        "mine": op["mine"],
        "server": op["server"],
    }


def _change(op: dict[str, Any]) -> str:
    arguments = op.get("arguments") or {}
    shown = ", ".join(f"{k}={v}" for k, v in arguments.items() if v not in (None, [], ""))
    return f"{op['operation']}({shown})"


def render_table(header: list[str], rows: list[list[Any]]) -> str:
    """Text columns, left-aligned (the ids first), two spaces apart."""
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def _cmd_outbox(args: argparse.Namespace) -> int:
    store = _replica_store(args, "outbox")
    try:
        return _outbox(args, store)
    finally:
        store.close()


def _outbox(args: argparse.Namespace, store: ReplicaStore) -> int:
    action = args.action
    if action == "export":
        if not args.target:
            raise UsageError("outbox export: give the FILE to write")
        count = store.export_outbox(Path(args.target))
        return emit(
            args,
            lambda: {"exported": count, "file": str(args.target)},
            lambda: f"wrote {count} outbox entries to {args.target}",
        )
    if action == "edit":
        return _edit(args, store)
    if args.values:
        raise UsageError(f"outbox {action}: FIELD=VALUE is for 'outbox edit' only")
    if action in ("discard", "apply-mine"):
        if not args.target:
            raise UsageError(f"outbox {action}: give the ID of the entry (see 'outbox list')")
        try:
            seq = positive_arg(args.target)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"outbox {action}: {exc}") from None
        if action == "discard":
            store.discard(seq, "discarded with 'outbox discard'")
            done = f"entry {seq} discarded (kept in the outbox as a log)"
        else:
            store.apply_mine(seq)
            done = f"entry {seq} will be sent again on top of the server's version: run sync"
        return emit(args, lambda: {"id": seq, "done": action}, lambda: done)
    if action == "preview":
        verdicts = store.preview()
        rows = [[v["seq"], v["verdict"], v["operation"], v["reason"]] for v in verdicts]
        return emit(
            args,
            lambda: verdicts,
            lambda: (
                render_table(["ID", "Verdict", "Change", "Why"], rows)
                if rows
                else "nothing pending"
            ),
        )
    entries = store.replica.outbox()
    rows = [
        [
            op["seq"],
            op["status"] + (" (request)" if op["request"] else ""),
            _change(op),
            str(op["created_at"]).replace("T", " ")[:16],
            op["reason"],
        ]
        for op in entries
    ]
    return emit(
        args,
        lambda: [_entry_json(op) for op in entries],
        lambda: (
            render_table(["ID", "Status", "Change", "Made", "Why"], rows)
            if rows
            else "the outbox is empty"
        ),
    )


def parse_edits(original: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """``FIELD=VALUE`` words as the arguments of an outbox entry: a text argument stays the
    text given; any other is read as JSON (a number, true/false, null, a list)."""
    from billing_desktop.remote.edits import from_text

    changes: dict[str, Any] = {}
    for word in values:
        field, sep, value = word.partition("=")
        field = field.strip()
        if not sep or not field:
            raise UsageError(f"outbox edit: {word!r}: give FIELD=VALUE")
        changes[field] = from_text(original.get(field), value)
    return changes


def _edit(args: argparse.Namespace, store: ReplicaStore) -> int:
    if not args.target:
        raise UsageError("outbox edit: give the ID of the entry (see 'outbox list')")
    try:
        seq = positive_arg(args.target)
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"outbox edit: {exc}") from None
    if not args.values:
        raise UsageError("outbox edit: give at least one FIELD=VALUE to change")
    original = next((op for op in store.replica.outbox() if int(op["seq"]) == seq), None)
    arguments = dict(original["arguments"]) if original else {}
    new_seq = store.edit(seq, parse_edits(arguments, list(args.values)))
    return emit(
        args,
        lambda: {"id": seq, "done": "edit", "new_id": new_seq},
        lambda: (
            f"entry {seq} superseded by entry {new_seq}, based on the server's current "
            "version: run sync to send it"
        ),
    )
