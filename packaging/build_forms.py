"""Compile the Qt Designer forms (``forms/*.ui``) into committed ``ui_*.py`` modules.

    python packaging/build_forms.py           # (re)generate billing_desktop/ui/forms/ui_*.py
    python packaging/build_forms.py --check   # exit 1 listing stale, missing or orphan files

The generated modules are committed (like Picard's), so running the application never needs the
compiler. ``--check`` compares ignoring the "Created by: Qt User Interface Compiler version"
header line, so a patch-level Qt difference between machines does not flag a form as stale.

The only change made to uic's output is a ``-> None`` on ``setupUi``/``retranslateUi`` (for
mypy). The compiler is the ``uic`` binary shipped inside the PySide6 wheel (found from the PySide6
package itself, so it works in a fresh virtual environment whose ``bin/`` is not on PATH),
falling back to ``pyside6-uic`` on PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMS_DIR = ROOT / "forms"
OUT_DIR = ROOT / "billing_desktop" / "ui" / "forms"
SETUP_DEF = re.compile(r"^(\s+def (?:setupUi|retranslateUi)\(self, \w+\)):$", re.MULTILINE)
VERSION_MARKER = "Created by: Qt User Interface Compiler version"
INIT_TEXT = (
    '"""Python modules generated from forms/*.ui by packaging/build_forms.py. Do not edit."""\n'
)


class BuildError(Exception):
    """The forms cannot be compiled (no compiler, or uic rejected a form)."""


def find_uic() -> list[str]:
    """The command that runs PySide6's uic with the Python generator."""
    try:
        import PySide6
    except ImportError as exc:  # pragma: no cover - PySide6 is a dependency
        raise BuildError("PySide6 is not installed in this Python environment") from exc
    base = Path(PySide6.__file__).resolve().parent
    candidates = [
        base / "Qt" / "libexec" / "uic",  # Linux and macOS wheels
        base / "uic.exe",  # Windows wheels
        base / "uic",
        base / "Qt" / "bin" / "uic",
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate), "-g", "python"]
    wrapper = shutil.which("pyside6-uic")
    if wrapper:
        return [wrapper]
    raise BuildError("cannot find PySide6's uic (looked inside the PySide6 package and on PATH)")


def output_name(form: Path) -> str:
    return f"ui_{form.stem}.py"


def compile_form(uic: Sequence[str], form: Path) -> str:
    """The Python source uic generates for ``form`` (newlines normalised to ``\\n``)."""
    result = subprocess.run(
        [*uic, form.name],
        cwd=form.parent,  # uic names the file in its header: keep it a bare file name
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise BuildError(f"{form.name}: uic failed ({result.returncode}): {message}")
    return annotate(result.stdout.replace("\r\n", "\n"))


def annotate(source: str) -> str:
    """Give uic's ``setupUi``/``retranslateUi`` a ``-> None`` return type.

    Without it mypy counts every ``self.ui.setupUi(self)`` as a call to an untyped function.
    """
    return SETUP_DEF.sub(r"\1 -> None:", source)


def normalised(source: str) -> str:
    """``source`` without the compiler-version header line and trailing blanks."""
    lines = source.replace("\r\n", "\n").split("\n")
    kept = [line.rstrip() for line in lines if VERSION_MARKER not in line]
    return "\n".join(kept).strip() + "\n"


def forms_in(forms_dir: Path) -> list[Path]:
    return sorted(forms_dir.glob("*.ui"))


def build(forms_dir: Path = FORMS_DIR, out_dir: Path = OUT_DIR) -> list[Path]:
    """Generate every form; returns the files written (unchanged ones are left alone)."""
    uic = find_uic()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    init = out_dir / "__init__.py"
    if not init.exists():
        init.write_text(INIT_TEXT, encoding="utf-8", newline="\n")
        written.append(init)
    for form in forms_in(forms_dir):
        target = out_dir / output_name(form)
        source = compile_form(uic, form)
        if target.exists() and normalised(target.read_text(encoding="utf-8")) == normalised(source):
            continue
        target.write_text(source, encoding="utf-8", newline="\n")
        written.append(target)
    return written


def check(forms_dir: Path = FORMS_DIR, out_dir: Path = OUT_DIR) -> list[str]:
    """Problems with the committed modules: one line each, empty when all are fresh."""
    uic = find_uic()
    problems: list[str] = []
    expected: set[str] = set()
    for form in forms_in(forms_dir):
        name = output_name(form)
        expected.add(name)
        target = out_dir / name
        if not target.exists():
            problems.append(f"missing: {target} (from {form.name})")
            continue
        if normalised(target.read_text(encoding="utf-8")) != normalised(compile_form(uic, form)):
            problems.append(f"stale: {target} (from {form.name})")
    for generated in sorted(out_dir.glob("ui_*.py")):
        if generated.name not in expected:
            problems.append(f"orphan: {generated} (no forms/{generated.stem[3:]}.ui)")
    if not (out_dir / "__init__.py").exists():
        problems.append(f"missing: {out_dir / '__init__.py'}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the generated modules are up to date"
    )
    parser.add_argument("--forms", type=Path, default=FORMS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(args.forms, args.out)
            for problem in problems:
                print(problem)
            if problems:
                print("run: python packaging/build_forms.py", file=sys.stderr)
                return 1
            print(f"forms up to date ({len(forms_in(args.forms))} checked)")
            return 0
        written = build(args.forms, args.out)
    except BuildError as exc:
        print(f"build_forms: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if not written:
        print("forms up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
