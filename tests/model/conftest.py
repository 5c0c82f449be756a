"""Fixtures of the model-based test: the command line runs a few thousand times in one process."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="package")
def _quick_command_line() -> Iterator[None]:
    """Each ``main()`` call builds the argument parser, a few ms the test repeats ~40 times per
    example. It is the same parser for the whole run, so it is built once here; everything else
    runs as in a real command (the store reads its migration scripts once per process)."""
    from billing_desktop import cli

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "build_parser", functools.cache(cli.build_parser))
        yield
