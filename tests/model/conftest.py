"""Fixtures of the model-based test: the command line runs a few thousand times in one process."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="package")
def _quick_command_line() -> Iterator[None]:
    """Each ``main()`` call builds the argument parser and opens the store, which reads the
    migration scripts to learn the schema's head revision: about 60 ms a call that the test
    repeats ~40 times per example. Both are pure (the same parser, the same head) for the whole
    run, so they are computed once here; everything else runs as in a real command."""
    from billing_desktop import cli
    from billing_desktop.store.sql import engine

    head = engine.head_revision()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "head_revision", lambda: head)
        patch.setattr(cli, "build_parser", functools.cache(cli.build_parser))
        yield
