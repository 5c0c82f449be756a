"""The bundled TTF fonts for PDFs (resources/fonts): one registration, idempotent.

reportlab's built-in Helvetica has no Greek, Cyrillic, ₹ or ₽; DejaVu Sans has them all. It has
no Chinese, Japanese or Korean though, and reportlab does not fall back from one font to another
glyph by glyph: a CJK name would print blank. So text is cut into runs by the fonts that have
its characters (:func:`runs`): DejaVu Sans first, then Droid Sans Fallback (CJK ideographs,
kana, Hangul; 3.3 MB), and a character that neither has becomes U+FFFD "�", which DejaVu
draws: a name is never printed blank without a sign that something is missing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from billing_desktop.paths import resource_dirs

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FALLBACK = "DroidSansFallback"  # no bold face: CJK prints regular in a bold row
REPLACEMENT = "\ufffd"


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
    pdfmetrics.registerFont(TTFont(FALLBACK, str(folder / f"{FALLBACK}.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    # <b> around a fallback run in a paragraph keeps the fallback font.
    pdfmetrics.registerFontFamily(
        FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK
    )
    return REGULAR, BOLD


@cache
def _glyphs(name: str) -> frozenset[int]:
    register()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def covered(text: str, bold: bool = False) -> bool:
    """Whether the main font (DejaVu Sans, or its bold) has every character of ``text``."""
    if text.isascii():
        return True
    glyphs = _glyphs(BOLD if bold else REGULAR)
    return all(ord(char) in glyphs or char in "\n\r\t" for char in text)


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """``text`` as (font name, text) runs: each character in the first font that has it, the
    main one, then the fallback; one that none has as U+FFFD in the main font."""
    main = BOLD if bold else REGULAR
    if covered(text, bold):
        return [(main, text)]
    first, second = _glyphs(main), _glyphs(FALLBACK)
    found: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        if code in first or char in "\n\r\t":
            font = main
        elif code in second:
            font = FALLBACK
        else:
            font, char = main, REPLACEMENT
        if found and found[-1][0] == font:
            found[-1] = (font, found[-1][1] + char)
        else:
            found.append((font, char))
    return found


def shown(text: str, bold: bool = False) -> str:
    """``text`` as it prints: characters no bundled font has replaced by U+FFFD."""
    return "".join(part for _, part in runs(text, bold))
