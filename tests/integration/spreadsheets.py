"""Opening our exports in LibreOffice Calc, headless (installed by .ci/run), for the tests.

A CSV file is converted to .xlsx with the CSV import filter told which separator to use and the
least safe options a person could pick: quoted fields not forced to text, special numbers
detected, spaces trimmed, formulas evaluated. Then every ``<f>`` element of the workbook LibreOffice
wrote is a cell it took for a formula. A missing ``soffice`` fails the test instead of skipping
it: a skipped check would hide exactly what it is there to catch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

# The CSV filter's field-separator token: ASCII codes, several joined by "/".
SEPARATORS = {
    "comma": "44",
    "semicolon": "59",
    "tab": "9",
    # Every box of the import dialog: tab, comma, semicolon, space and "|" as "Other".
    "any": "9/44/59/32/124",
}
# Tokens: separator, text delimiter " (34), UTF-8 (76), first line 1, no column formats,
# language 0, quoted field as text: false, detect special numbers: true, (two export-only
# tokens), trim spaces: true, (export sheets), evaluate formulas: true.
OPTIONS = "{separator},34,76,1,,0,false,true,false,false,true,false,true"
CSV_FILTER = "Text - txt - csv (StarCalc)"
FORMULA = re.compile(rb"<f[\s>/]")


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.fail(
            "soffice (LibreOffice Calc) is needed to open the exports as a spreadsheet would; "
            ".ci/run installs it (libreoffice-calc-nogui)"
        )
    return found


def convert(files: Sequence[Path], out: Path, separator: str | None, profile: Path) -> list[Path]:
    """``files`` converted to .xlsx by LibreOffice into ``out`` (CSV files read with
    ``separator``, one of :data:`SEPARATORS`; workbooks as they are). One LibreOffice run for
    all of them; ``profile`` keeps its user settings away from the real ones."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        soffice(),
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
    ]
    if separator is not None:
        options = OPTIONS.format(separator=SEPARATORS[separator])
        command.append(f"--infilter={CSV_FILTER}:{options}")
    command += ["--convert-to", "xlsx", "--outdir", str(out), *map(str, files)]
    environment = {**os.environ, "HOME": str(profile.parent)}
    subprocess.run(command, check=True, capture_output=True, timeout=300, env=environment)
    converted = [out / f"{path.stem}.xlsx" for path in files]
    missing = [path.name for path in converted if not path.is_file()]
    assert not missing, f"LibreOffice wrote no {missing}"
    return converted


def formula_cells(workbook: Path) -> list[str]:
    """The cells of every sheet of ``workbook`` that hold a formula (their XML, shortened)."""
    found = []
    with zipfile.ZipFile(workbook) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                for cell in re.findall(rb"<c [^>]*>(?:(?!</c>).)*</c>", xml, re.DOTALL):
                    if FORMULA.search(cell):
                        found.append(f"{name}: {cell[:160].decode(errors='replace')}")
    return found
