"""The bundled TTF font for PDFs (resources/fonts, DejaVu Sans): one registration, idempotent.

reportlab's built-in Helvetica has no Greek, Cyrillic, ₹ or ₽; DejaVu Sans has them all.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


def fonts_folder() -> Path:
    """resources/fonts next to the package, or inside a frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = [Path(frozen) / "resources" / "fonts"] if frozen else []
    candidates.append(Path(__file__).resolve().parents[2] / "resources" / "fonts")
    for folder in candidates:
        if (folder / f"{REGULAR}.ttf").is_file():
            return folder
    raise FileNotFoundError("the bundled PDF fonts (resources/fonts/DejaVuSans.ttf) are missing")


@cache
def register() -> tuple[str, str]:
    """Register the fonts with reportlab once; returns (regular, bold) font names."""
    folder = fonts_folder()
    pdfmetrics.registerFont(TTFont(REGULAR, str(folder / f"{REGULAR}.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / f"{BOLD}.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    return REGULAR, BOLD
