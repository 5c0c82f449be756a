"""The installer scripts: the macOS signing script's secrets check and signing rules, the Windows
installer script, the build script and the workflow that runs them.

Only the parts that run on any OS are run here (the signing script checks its secrets with plain
shell before anything macOS-specific); the rest is checked as text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, ROOT

SIGN = PACKAGING / "macos" / "sign_and_notarize.sh"
MAKE_DMG = PACKAGING / "macos" / "make_dmg.sh"
BUILD = PACKAGING / "build_bundle.sh"
ISS = PACKAGING / "windows" / "billing_desktop.iss"
INSTALLER_PS1 = PACKAGING / "windows" / "build_installer.ps1"
WORKFLOW = ROOT / ".github" / "workflows" / "installers.yml"
BASH = shutil.which("bash") or "/bin/bash"


def run_sign(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # env -i: an environment with nothing in it but what the test gives.
    return subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in env.items()), BASH, str(SIGN)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )


def code_lines(script: Path) -> list[str]:
    """The script's lines with comments removed (whole-line and trailing ``# ...``)."""
    lines = []
    for line in script.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        lines.append(re.sub(r"\s+#\s.*$", "", line))
    return lines


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "DEVELOPER_ID_APPLICATION"),
        (
            {"APPLE_ID": "a@example.com", "APPLE_TEAM_ID": "T", "APPLE_APP_PASSWORD": "p"},
            "DEVELOPER_ID_APPLICATION",
        ),
        ({"DEVELOPER_ID_APPLICATION": "Developer ID Application: X (T)"}, "APPLE_ID"),
        ({"DEVELOPER_ID_APPLICATION": "D", "APPLE_ID": "a@example.com"}, "APPLE_TEAM_ID"),
        (
            {"DEVELOPER_ID_APPLICATION": "D", "APPLE_ID": "a", "APPLE_TEAM_ID": "T"},
            "APPLE_APP_PASSWORD",
        ),
    ],
)
def test_sign_script_fails_clearly_without_its_secrets(env: dict[str, str], missing: str) -> None:
    result = run_sign(env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"missing environment variable {missing}" in lines[0]


@pytest.mark.parametrize(
    "env",
    [
        {"DEVELOPER_ID_APPLICATION": "D", "NOTARY_KEYCHAIN_PROFILE": "billing"},
        {
            "DEVELOPER_ID_APPLICATION": "D",
            "APPLE_ID": "a",
            "APPLE_TEAM_ID": "T",
            "APPLE_APP_PASSWORD": "p",
        },
    ],
)
def test_sign_script_with_its_secrets_goes_on_to_the_macos_part(env: dict[str, str]) -> None:
    result = run_sign(env)
    assert "missing environment variable" not in result.stderr
    if shutil.which("codesign") is None:  # not on macOS: refused, clearly, after the secrets
        assert result.returncode == 2
        assert "macOS" in result.stderr


def test_sign_script_signs_inside_out_without_the_recursive_flag() -> None:
    for script in (SIGN, MAKE_DMG):
        assert not [line for line in code_lines(script) if "--deep" in line], script.name
    code = "\n".join(code_lines(SIGN))
    # Each code item with the hardened runtime and a secure timestamp; entitlements on the app.
    assert "codesign --force --options runtime --timestamp --sign" in code
    assert 'sign --entitlements "$ENTITLEMENTS" "$APP"' in code
    assert "packaging/macos/entitlements.plist" in code
    # Inside-out: loose Mach-O files, then frameworks, then the app; then notarize and staple.
    order = [
        code.index('find "$APP/Contents" -type f'),
        code.index('find "$APP/Contents" -type d -name "*.framework"'),
        code.index('sign --entitlements "$ENTITLEMENTS" "$APP"'),
        code.index('ditto -c -k --keepParent "$APP"'),
        code.index('notarize "$WORK/app.zip"'),
        code.index('xcrun stapler staple "$APP"'),
        code.index('spctl -a -vv -t exec "$APP"'),
    ]
    assert order == sorted(order)
    assert re.search(r'xcrun notarytool submit "\$file" .* --wait', code)


def test_entitlements_are_a_plist_without_sandbox_or_library_exceptions() -> None:
    import plistlib

    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}


def test_scripts_are_valid_bash() -> None:
    for script in (SIGN, MAKE_DMG, BUILD):
        result = subprocess.run([BASH, "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"


def test_windows_installer_script_takes_the_one_folder_build() -> None:
    text = ISS.read_text(encoding="utf-8")
    assert re.search(r'#define SourceDir "\.\.\\\.\.\\dist\\billing-desktop"', text)
    assert 'Source: "{#SourceDir}\\*"' in text and "recursesubdirs" in text
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", text, re.MULTILINE)
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.MULTILINE)
    assert icon is not None and (ISS.parent / icon.group(1)).is_file()
    assert "SignTool=signtool" in text  # used only when build_installer.ps1 signs
    ps1 = INSTALLER_PS1.read_text(encoding="utf-8")
    assert "WINDOWS_CERT_PFX_BASE64" in ps1 and "WINDOWS_CERT_PASSWORD" in ps1
    assert "exit 2" in ps1


def workflow_jobs() -> dict[str, str]:
    """The workflow's jobs, by name, as text (no YAML parser needed: jobs are at two spaces)."""
    text = WORKFLOW.read_text(encoding="utf-8")
    body = text[text.index("\njobs:\n") :]
    parts = re.split(r"^  ([a-z]+):\n", body, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_workflow_builds_self_tests_and_uploads_on_windows_and_macos() -> None:
    jobs = workflow_jobs()
    assert set(jobs) == {"windows", "macos", "linux"}
    assert "runs-on: windows-latest" in jobs["windows"]
    assert "runs-on: macos-latest" in jobs["macos"]
    for name, job in jobs.items():
        assert "actions/upload-artifact@" in job, name
        assert 'python-version: "3.11"' in job, name
    for name in ("windows", "macos"):
        assert 'pip install -e ".[packaging]"' in jobs[name]
        assert "pyinstaller --noconfirm --clean packaging/billing_desktop.spec" in jobs[name]
        assert "--self-test" in jobs[name]
    assert "billing-desktop-cli.exe --self-test" in jobs["windows"]
    assert "build_installer.ps1" in jobs["windows"]
    assert '"dist/Billing Desktop.app/Contents/MacOS/billing-desktop" --self-test' in jobs["macos"]
    assert "packaging/macos/sign_and_notarize.sh" in jobs["macos"]
    assert "UNSIGNED" in jobs["macos"] and "UNSIGNED" in jobs["windows"]
    assert "bash packaging/build_bundle.sh" in jobs["linux"]


def test_build_script_self_tests_the_bundle_and_reports_size_and_time() -> None:
    code = "\n".join(code_lines(BUILD))
    assert "packaging/billing_desktop.spec" in code
    assert "--self-test" in code
    assert "du -sh" in code
    assert "--workpath build/pyinstaller --distpath dist" in code  # both ignored by git
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/build/" in gitignore and "/dist/" in gitignore
