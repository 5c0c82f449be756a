"""Shared fixtures. Qt runs offscreen; every test gets its own store, data and config folders."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt: no display here, and user settings must not leak between runs.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
_SESSION_HOME = tempfile.mkdtemp(prefix="billing-desktop-tests-")
# Gone with the process (each xdist worker has its own): a run leaves nothing in the temp folder.
atexit.register(shutil.rmtree, _SESSION_HOME, ignore_errors=True)
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SESSION_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_SESSION_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_SESSION_HOME, "cache")
os.environ.pop("BILLING_DESKTOP_STORE", None)
# The tests assert English texts: a developer's Spanish OS locale must not change them.
os.environ["BILLING_DESKTOP_LANGUAGE"] = "en"

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from billing_desktop.bootstrap import SqlStore  # noqa: E402

# Hypothesis profiles for the whole suite: HYPOTHESIS_PROFILE=ci (the default, and what CI runs:
# each property's examples, the same every run, no deadline on a loaded machine) or dev (a few
# examples each, for a quick run while working). The model-based test (tests/model) reads
# BILLING_MODEL_PROFILE, else this variable, with its own example counts.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=10, deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if HYPOTHESIS_PROFILE not in ("ci", "dev"):
    raise RuntimeError(f"HYPOTHESIS_PROFILE={HYPOTHESIS_PROFILE!r}: use ci or dev")
settings.load_profile(HYPOTHESIS_PROFILE)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(store_path: Path) -> Iterator[SqlStore]:
    """An empty local store at the newest schema."""
    opened = SqlStore(f"sqlite:///{store_path}")
    yield opened
    opened.dispose()
