"""The command modules: each adds its subcommands to the parser and returns their handlers.

A new command lives in its own module under ``billing_desktop/cli/`` with a
``register(commands) -> dict[str, Handler]`` function, and is named once in
``billing_desktop.cli.command_modules`` (imported there by name, so that the bundle finds it);
the order there is the order of ``--help``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
