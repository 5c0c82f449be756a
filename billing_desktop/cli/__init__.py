"""Command line (PRODUCT §11): parsing and printing only; the work is in services/ and ui/.

Exit status: 0 on success, 2 on bad input (one line on stderr naming the problem, nothing
written), 1 on an unexpected failure. Each group of commands is a module of this package
(``registry.MODULES``); ``common`` holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from billing_desktop import __version__
from billing_desktop.cli.common import PROG, UsageError
from billing_desktop.cli.registry import Handler
from billing_desktop.domain.errors import BillingError

__all__ = ["PROG", "UsageError", "build_parser", "main"]


def command_modules() -> tuple[ModuleType, ...]:
    """Every group of commands, in the order of ``--help``."""
    from billing_desktop.cli import (
        account,
        activity,
        autopay_packs,
        backups,
        core,
        documents,
        insight,
        offline,
        payments,
        serving,
    )

    return (
        core, serving, backups, documents, activity, account, payments, insight, offline,
        autopay_packs,
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The parser; its handlers are in ``parser.get_default("handlers")``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Billing administration for contact-centre and conversational-AI workspaces.",
        epilog="Without a command the desktop application starts (same as 'gui').",
    )
    _global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, Handler] = {}
    for module in command_modules():
        handlers.update(module.register(commands))
    parser.set_defaults(handlers=handlers)
    return parser


def _global_options(parser: argparse.ArgumentParser) -> None:
    """The options given before any command."""
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="check this installation offscreen (store, tabs, PDF, chart) and exit 0 when it "
        "works; keeps its files in DIR when given, else uses a temporary folder",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help="store file path or SQLAlchemy URL (default: $BILLING_DESKTOP_STORE, "
        "then billing.db in the per-user data folder)",
    )
    parser.add_argument(
        "--user", metavar="ID", help="act as this user of the workspace (default: the first admin)"
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="send the API token over plain http:// to a server on another machine (refused "
        "otherwise: use https://); same as BILLING_DESKTOP_ALLOW_INSECURE_HTTP=1",
    )


def _app_start(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options of a start of the desktop application (global options only, no command),
    read without building every command's parser (B1: that imports each command's modules);
    None for anything else (a command, ``--help``, an unknown or bad option), which the full
    parser reads as before."""
    words = list(sys.argv[1:] if argv is None else argv)
    if any(word in ("-h", "--help") or word.startswith("--self-test") for word in words):
        return None
    parser = argparse.ArgumentParser(prog=PROG, add_help=False, exit_on_error=False)
    _global_options(parser)
    try:
        args, rest = parser.parse_known_args(words)
    except argparse.ArgumentError:
        return None
    return None if rest or args.self_test is not None else args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: its text output cleaned of terminal control sequences, a reader
    that stops early (``| head``) ending it quietly (billing_desktop/terminal.py)."""
    from billing_desktop.terminal import clean_output, run_to_pipe

    with clean_output():
        return run_to_pipe(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    app_start = _app_start(argv)
    if app_start is not None:
        from billing_desktop.cli import core

        args = app_start
        args.command, args.handlers = "gui", {"gui": core.gui_handler()}
    else:
        args = build_parser().parse_args(argv)
    if args.self_test is not None:
        from billing_desktop.selftest import run as self_test

        return self_test(Path(args.self_test) if args.self_test else None)
    command = args.command or "gui"
    if args.allow_insecure_http:
        from billing_desktop.remote.plain_http import allow_insecure_http

        allow_insecure_http()
    try:
        return args.handlers[command](args)  # type: ignore[no-any-return]
    except BillingError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
