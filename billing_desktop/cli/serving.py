"""Serving the store to remote clients, and their tokens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from billing_desktop.cli.common import (
    PROG,
    UsageError,
    duration_arg,
    emit,
    local_store,
    positive_arg,
)
from billing_desktop.cli.registry import Handler


def register(commands: Any) -> dict[str, Handler]:
    serve = commands.add_parser(
        "serve",
        help="serve the store over HTTP JSON to remote clients (extra 'server')",
        description="Serve the workspace in --store (an SQLite file or a PostgreSQL URL) over "
        "HTTP JSON. Clients sign in with tokens from 'tokens create'. Stateless: run several "
        "servers on one database behind a load balancer. Terminate TLS in front of it, or "
        "give --certfile and --keyfile.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--workers", type=positive_arg, default=1, help="server processes")
    serve.add_argument("--certfile", type=Path, default=None, help="TLS certificate (PEM)")
    serve.add_argument("--keyfile", type=Path, default=None, help="TLS private key (PEM)")

    tokens = commands.add_parser(
        "tokens",
        help="issue, list and revoke API tokens for remote clients (admins)",
        description="Issue an API token for a user of the workspace (printed once; only its "
        "hash is stored), list the tokens (never the secret) or revoke one: the server checks "
        "every request, so a revoked or expired token is refused at once.",
    )
    token_commands = tokens.add_subparsers(
        dest="tokens_command", metavar="SUBCOMMAND", required=True
    )
    create_token = token_commands.add_parser("create", help="print a new token for a user")
    create_token.add_argument("--user", dest="token_user", required=True, metavar="ID")
    create_token.add_argument(
        "--expires",
        type=duration_arg,
        default=None,
        metavar="DURATION",
        help="end the token after this long: hours, days or weeks (12h, 30d, 90d, 2w); "
        "default: until revoked",
    )
    list_tokens = token_commands.add_parser(
        "list", help="the tokens: id, user, created, last used, expires, status (no secrets)"
    )
    list_tokens.add_argument("--json", action="store_true", help="print the list as JSON")
    revoke_token = token_commands.add_parser("revoke", help="revoke a token (see 'tokens list')")
    revoke_token.add_argument("token_id", type=positive_arg, metavar="ID", help="the token's id")
    return {"serve": _cmd_serve, "tokens": _cmd_tokens}


def _cmd_serve(args: argparse.Namespace) -> int:
    from billing_desktop.server.main import plain_http_warning, serve

    local_store(args, "serve")
    if (args.certfile is None) != (args.keyfile is None):
        raise UsageError("serve: give both --certfile and --keyfile, or neither")
    for path in (args.certfile, args.keyfile):
        if path is not None and not path.is_file():
            raise UsageError(f"serve: no such file {path}")
    from billing_desktop.config import store_url

    warning = plain_http_warning(args.host, args.certfile)
    if warning is not None:
        print(f"{PROG}: {warning}", file=sys.stderr, flush=True)
    serve(
        store_url(args.store),
        host=args.host,
        port=args.port,
        workers=args.workers,
        certfile=args.certfile,
        keyfile=args.keyfile,
    )
    return 0


def _cmd_tokens(args: argparse.Namespace) -> int:
    from billing_desktop.server import tokens

    store = local_store(args, f"tokens {args.tokens_command}")
    if args.tokens_command == "create":
        print(tokens.create(store, args.user, args.token_user, args.expires))
    elif args.tokens_command == "list":
        rows = tokens.listing(store, args.user)
        return emit(args, lambda: rows, lambda: tokens.listing_table(rows))
    else:
        print(tokens.revoke(store, args.user, args.token_id))
    return 0
