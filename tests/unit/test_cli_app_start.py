"""Starting the desktop application from the command line reads the global options without
building every command's parser (B1), and hands everything else to the full parser as before."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from billing_desktop import cli
from billing_desktop.ui import app as ui_app


def test_global_options_alone_start_the_app() -> None:
    args = cli._app_start(["--store", "billing.db", "--user", "u1", "--allow-insecure-http"])
    assert args is not None
    assert (args.store, args.user, args.allow_insecure_http) == ("billing.db", "u1", True)
    started = cli._app_start([])
    assert started is not None and started.store is None and started.user is None


@pytest.mark.parametrize(
    "argv",
    [
        ["usage"],
        ["--store", "billing.db", "gui"],
        ["--store", "billing.db", "usage", "--json"],
        ["--help"],
        ["-h"],
        ["--store"],  # a missing value: the full parser says so
        ["--self-test"],
        ["--self-test=/tmp/x"],
        ["--no-such-option"],
    ],
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert cli._app_start(argv) is None


def test_the_app_starts_without_the_full_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def no_parser() -> None:
        raise AssertionError("the full parser was built")

    def run_gui(**kw: Any) -> int:
        calls.append(("gui", kw, gc.isenabled()))
        return 0

    monkeypatch.setattr(cli, "build_parser", no_parser)
    monkeypatch.setattr(ui_app, "run_gui", run_gui)
    assert cli.main(["--store", "billing.db", "--user", "u1"]) == 0
    # the start runs without cyclic garbage collection; it is on again when the app has ended
    assert calls == [("gui", {"store_location": "billing.db", "user_id": "u1"}, False)]
    assert gc.isenabled()


def test_the_gui_command_and_help_still_use_the_full_parser(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(ui_app, "run_gui", lambda **kw: calls.append(kw) or 0)
    assert cli.main(["--store", "billing.db", "gui"]) == 0
    assert calls == [{"store_location": "billing.db", "user_id": None}]
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--help"])
    assert stopped.value.code == 0
    assert "COMMAND" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--store"])
    assert stopped.value.code == 2
    assert "expected one argument" in capsys.readouterr().err
