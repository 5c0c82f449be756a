"""Issue 15 §7: the CLI's text output neither passes terminal control sequences from names
through nor ends in a BrokenPipeError traceback when its reader stops early (``| head``)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.terminal import CleanWriter, clean
from tests.integration.units_workspace import OCTOBER, fill

HOSTILE_UNIT = "\x1b]0;pwned\x07Sa\x1b[31mles\x1b[0m\x1b[2J\r\x9b2Jx\u202e\x00"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain\ttext\nnext", "plain\ttext\nnext"),  # tab and line feed lay text out
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;title\x07name", "name"),
        ("\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("a\rb\x08c\x7fd\x85e\x9b2Jf", "abcdef"),
        ("\x1bcreset", "reset"),
        ("right\u202eto-left\u2066", "rightto-left"),
        ("Café ₹ 東京", "Café ₹ 東京"),
    ],
)
def test_clean_removes_escape_sequences_and_control_characters(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_writer_cleans_what_it_writes() -> None:
    out = io.StringIO()
    writer = CleanWriter(out)
    assert writer.write("\x1b[2Jok\n") == len("\x1b[2Jok\n")
    assert out.getvalue() == "ok\n" and writer.getvalue() == "ok\n"


def test_names_reach_the_terminal_without_control_sequences(
    store: SqlStore, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with store() as uow:
        fill(uow)
        uow.units.add(HOSTILE_UNIT)
        uow.commit()
    argv = ["--store", str(store_path), "--user", "ada"]
    assert main([*argv, "units", "report", "--month", str(OCTOBER)]) == 0
    out = capsys.readouterr().out
    assert "Sales\n" not in out and "Salesx" in out  # the unit, its name cleaned
    assert not any(char in out for char in "\x1b\x07\r\x9b\x00\u202e")
    assert main([*argv, "units", "report", "--month", str(OCTOBER), "--json"]) == 0
    names = [unit["name"] for unit in json.loads(capsys.readouterr().out)["units"]]
    assert HOSTILE_UNIT in names  # JSON keeps the exact name, escaped
    code = main([*argv, "units", "assign", "\x1b[2JNope\x1b]0;x\x07", "--user", "bo"])
    err = capsys.readouterr().err
    assert code == 2 and "Nope" in err and "\x1b" not in err and "\x07" not in err


def run_into_head(store_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "billing_desktop", "--store", str(store_path), *args]
    shell = " ".join(f"'{part}'" for part in command) + " | head -1; exit ${PIPESTATUS[0]}"
    return subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_reader_that_stops_early_ends_the_output_quietly(
    store: SqlStore, store_path: Path
) -> None:
    with store() as uow:
        fill(uow)
        uow.commit()
    # Three years of hours: about 2 MB of text, far more than a pipe holds, so the command is
    # still writing when head has read its line and gone.
    hours = run_into_head(
        store_path, "sessions", "--from", "2024-01-01", "--to", "2026-12-31", "--bucket", "hour"
    )
    assert hours.stdout.startswith("Sessions from 2024-01-01 to 2026-12-31 by hour")
    assert hours.stdout.count("\n") == 1
    assert hours.stderr == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert hours.returncode == 1  # as Python's own EPIPE handling: output was cut short
    usage = run_into_head(store_path, "usage", "--month", str(OCTOBER))
    assert usage.stderr == "" and usage.stdout.startswith("Usage for")
    assert usage.returncode in (0, 1)  # 1 when head was gone before the last write
