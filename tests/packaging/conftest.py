"""Fixtures for the packaging tests: packaging/bundle_contents.py, loaded by path.

The repository's packaging/ folder is not a Python package (and its name would clash with the
PyPI ``packaging`` distribution), so its helper module is loaded from its file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def load_bundle_contents() -> ModuleType:
    name = "bundle_contents"  # the name the spec imports it under
    if name in sys.modules and Path(sys.modules[name].__file__ or "") == PACKAGING / f"{name}.py":
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bundle_contents() -> ModuleType:
    return load_bundle_contents()
