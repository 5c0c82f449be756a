"""The bundled TTF font for PDFs (resources/fonts, DejaVu Sans): one registration, idempotent.

reportlab's built-in Helvetica has no Greek, Cyrillic, ₹ or ₽; DejaVu Sans has them all.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from billing_desktop.paths import resource_dirs

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


def fonts_folder() -> Path:
    """resources/fonts: in a frozen bundle, next to the package, or installed with the wheel."""
    for resources in resource_dirs():
        folder = resources / "fonts"
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
