"""Reading PDFs back for the tests: poppler-utils' ``pdftotext`` and ``pdfinfo`` (installed by
.ci/run). A missing tool fails the test instead of skipping it: a skipped PDF check would
hide exactly what it is there to catch."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} (poppler-utils) is needed to read PDFs back; .ci/run installs it")
    return found


def _with_file(data: bytes | Path, args: list[str]) -> str:
    if isinstance(data, Path):
        return subprocess.run(
            [*args, str(data), "-"] if args[0].endswith("pdftotext") else [*args, str(data)],
            check=True,
            capture_output=True,
            text=True,
            encoding="utf-8",
        ).stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        return _with_file(path, args)


def pdf_text(
    data: bytes | Path,
    *,
    layout: bool = False,
    raw: bool = False,
    first: int | None = None,
    last: int | None = None,
) -> str:
    """The text of a PDF (all pages, or ``first``..``last``)."""
    args = [_tool("pdftotext"), "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if raw:
        args.append("-raw")
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    return _with_file(data, args)


def page_count(data: bytes | Path) -> int:
    info = _with_file(data, [_tool("pdfinfo")])
    match = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def page_size_points(data: bytes | Path) -> tuple[float, float]:
    info = _with_file(data, [_tool("pdfinfo")])
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert match, info
    return float(match.group(1)), float(match.group(2))


def squeeze(text: str) -> str:
    """``text`` without any whitespace (line breaks of wrapped cells and paragraphs vanish)."""
    return "".join(text.split())
