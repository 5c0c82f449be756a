"""Opening a store reads the migration scripts' revisions without Alembic (PERFORMANCE.md B1),
and that light reading agrees with Alembic's, or hands over to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from billing_desktop.store.sql import engine


def test_the_light_reading_agrees_with_alembic() -> None:
    folder = str(engine.MIGRATIONS)
    assert engine._read_scripts(folder) == engine._alembic_revisions(folder)


def _scripts(tmp_path: Path, *pairs: tuple[str, str]) -> str:
    (tmp_path / "versions").mkdir(parents=True)
    for number, (revision, down) in enumerate(pairs):
        text = f'"""A migration."""\nrevision = {revision}\ndown_revision = {down}\n'
        (tmp_path / "versions" / f"{number:04}_x.py").write_text(text)
    return str(tmp_path)


def test_a_plain_chain_is_read(tmp_path: Path) -> None:
    folder = _scripts(tmp_path, ('"a"', "None"), ('"b"', '"a"'), ("'c'", "'b'"))
    assert engine._read_scripts(folder) == ("c", frozenset({"a", "b", "c"}))


def test_branches_and_computed_values_are_left_to_alembic(tmp_path: Path) -> None:
    two_heads = _scripts(tmp_path / "one", ('"a"', "None"), ('"b"', '"a"'), ('"c"', '"a"'))
    computed = _scripts(tmp_path / "two", ('"a"', "None"), ('"b"', "NAME"))
    missing_parent = _scripts(tmp_path / "three", ('"b"', '"a"'))
    assert engine._read_scripts(two_heads) is None
    assert engine._read_scripts(computed) is None
    assert engine._read_scripts(missing_parent) is None


def test_opening_a_store_at_its_newest_schema_imports_no_alembic(tmp_path: Path) -> None:
    from billing_desktop.bootstrap import SqlStore

    path = tmp_path / "store.db"
    SqlStore(f"sqlite:///{path}").dispose()  # a new store: migrated, with Alembic
    script = (
        "import sys; from billing_desktop.bootstrap import SqlStore; "
        f"SqlStore('sqlite:///{path}', create=False).dispose(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'mako', 'pygments'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
