"""The API's OpenAPI document, committed next to this file as ``openapi.json``.

    python -m billing_desktop.server.openapi           # write it again after an API change
    python -m billing_desktop.server.openapi --check   # exit 1 when the committed one is stale

The running server serves the same document at ``/openapi.json``; the committed copy lets a
reviewer see an API change in a diff, and lets client authors work without a server.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("openapi.json")


def generate() -> dict[str, Any]:
    """The OpenAPI document of ``create_app`` (built over an empty in-memory store: the
    document does not depend on what a store holds)."""
    from billing_desktop.bootstrap import SqlStore
    from billing_desktop.server.app import create_app

    store = SqlStore("sqlite://")
    try:
        return create_app(store).openapi()
    finally:
        store.dispose()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m billing_desktop.server.openapi",
        description="Write the API's OpenAPI document, or check the committed one is current.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when openapi.json differs from the code"
    )
    args = parser.parse_args(argv)
    text = render(generate())
    if args.check:
        committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.is_file() else ""
        if committed != text:
            print(
                f"{DOCUMENT} is stale: run 'python -m billing_desktop.server.openapi' and "
                "commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{DOCUMENT.name} is current")
        return 0
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
