"""The command line's contract: help everywhere, exit 2 with one line on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from billing_desktop.cli import main

SUBCOMMANDS = ["gui", "demo", "import", "screenshot"]


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: billing-desktop")


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_a_remote_store_without_a_token_asks_to_sign_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BILLING_DESKTOP_TOKEN", raising=False)
    monkeypatch.setattr("billing_desktop.remote.client.saved_token", lambda url: None)
    code = main(["--store", "https://billing.example", "usage"])
    assert code == 2
    assert "no API token for https://billing.example" in _error_line(capsys)


def test_a_remote_store_refuses_what_needs_the_store_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--store", "https://billing.example", "demo"])
    assert code == 2
    assert "demo works on the store itself" in _error_line(capsys)


def test_a_store_in_a_missing_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["--store", str(tmp_path / "missing" / "s.db"), "demo"])
    assert code == 2
    assert "no such folder" in _error_line(capsys)
    assert not (tmp_path / "missing").exists()


def test_an_unknown_user_is_refused(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    code = main(["--store", str(store_path), "--user", "nobody", "demo", "--today", "2026-11-21"])
    assert code == 2
    assert "--user nobody: no such user" in _error_line(capsys)


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["screenshot", "--out", "x", "--size", "big"])
    assert exited.value.code == 2
    assert "'big' is not a size" in capsys.readouterr().err


def test_demo_if_empty_leaves_a_workspace_alone(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    args = ["--store", str(store_path), "demo", "--today", "2026-11-21"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--if-empty"]) == 0
    assert "already holds a workspace" in capsys.readouterr().out
    assert main(args) == 2
