"""The Spanish catalog covers the dialogs, Help, the offline status and the start-up messages.

The strings are read from the source the way a translator's tools read them (Babel's extractor
with the ``tr`` and ``ntr`` keywords), so a string marked and not translated fails here, and so
does a translation that loses a ``{placeholder}`` or the ``&`` of a keyboard shortcut. A second
check reads the same files' syntax trees: a literal handed to a widget without ``tr`` fails.
(tests/unit/test_translations.py checks the main window, tabs, widgets and models the same way.)
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from billing_desktop.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "billing_desktop" / "ui"
KEYWORDS = {"tr": None, "ntr": (1, 2)}
LANGUAGE = "es"
CATALOG = ROOT / "resources" / "locale" / LANGUAGE / "dialogs.po"

# The files these checks cover: every dialog, and the ui modules outside the main window, tabs,
# widgets, models, charts and forms. (ui/theme.py is checked with the main window's strings;
# ui/screenshot.py writes to the command line, which stays English.)
FILES = sorted(
    [
        *(UI / "dialogs").rglob("*.py"),
        *(UI / "delegates").rglob("*.py"),
        *(UI / name for name in ("app.py", "context.py", "help.py", "offline.py")),
        *(UI / name for name in ("resources.py", "tasks.py")),
    ]
)

# Calls whose text arguments a user sees (or hears, for accessible names).
SHOWN = {
    "setText",
    "setToolTip",
    "setStatusTip",
    "setWhatsThis",
    "setWindowTitle",
    "setPlaceholderText",
    "setAccessibleName",
    "setAccessibleDescription",
    "setTitle",
    "setSuffix",
    "setPrefix",
    "setTabText",
    "setMarkdown",
    "showMessage",
    "addRow",
    "addTab",
    "addItem",
    "addAction",
    "addButton",
    "addMenu",
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QAction",
    "QMenu",
    "QMessageBox",
    "information",
    "warning",
    "critical",
    "question",
    "getSaveFileName",
    "getOpenFileName",
    "getExistingDirectory",
    "show_status",
    "_show_status",
    "show_error",
    "notify",
    "text_column",
    "money_column",
    "number_column",
    "price_column",
    "Column",
    "column",
}
# Texts that are the same in every language: a dash for "nothing", an ellipsis, symbols.
ALLOWED = {"—", "…", "–", "✕", "✔ ", "✖ ", "›", "‹", "+", "-", "%"}
CODE = re.compile(r"[a-z0-9_\-./:#*]+")  # object names, settings keys, item data, file names


def extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every tr/ntr message id in FILES, with where it is used."""
    found: dict[str | tuple[str, str], list[str]] = {}
    for path in FILES:
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            key = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{lineno}")
    return found


def merged_catalog() -> dict[str, Message]:
    """The language's .po files read as the app reads them (the first file holding an id
    wins), fuzzy entries left out."""
    folders = [folder / LANGUAGE for folder in i18n.locale_folders()]
    folder = next(folder for folder in folders if any(folder.glob("*.po")))
    messages: dict[str, Message] = {}
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            catalog: Catalog = read_po(handle, locale=LANGUAGE)
        for message in catalog:
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key and not message.fuzzy and key not in messages:
                messages[key] = message
    return messages


def fields(text: str) -> set[str]:
    """The ``{placeholders}`` of a str.format template (raises on a malformed one)."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def mnemonics(text: str) -> int:
    """How many ``&`` mark a keyboard shortcut (``&&`` and HTML entities are not one)."""
    return len(re.findall(r"&(?!&|lt;|gt;|amp;|nbsp;)", text.replace("&&", "")))


def test_the_checked_files_mark_their_strings() -> None:
    ids = extracted()
    assert len(ids) > 500  # the dialogs are marked: an extractor that finds nothing fails here
    for name in ("dialogs/manage_credits.py", "help.py", "offline.py", "app.py"):
        assert any(name in where for places in ids.values() for where in places), name


def test_every_marked_string_has_a_spanish_translation() -> None:
    catalog = merged_catalog()
    untranslated = []
    for key, places in extracted().items():
        singular = key if isinstance(key, str) else key[0]
        message = catalog.get(singular)
        found = None if message is None else message.string
        strings = (found,) if isinstance(found, str) else tuple(found or ())
        wanted = 1 if isinstance(key, str) else 2
        if len(strings) < wanted or not all(strings[:wanted]):
            untranslated.append(f"{places[0]}: {singular!r}")
    assert not untranslated, "no Spanish translation for:\n" + "\n".join(untranslated)


def test_translations_keep_placeholders_shortcuts_and_spacing() -> None:
    catalog = merged_catalog()
    wrong = []
    for key, places in extracted().items():
        sources = (key,) if isinstance(key, str) else key
        message = catalog.get(sources[0])
        if message is None:
            continue  # reported by the test above
        found = message.string
        strings = (found,) if isinstance(found, str) else tuple(found or ())
        for source, translated in zip(sources, strings, strict=False):
            where = f"{places[0]}: {source!r} -> {translated!r}"
            if fields(translated) != fields(source):
                wrong.append(f"placeholders differ: {where}")
            if mnemonics(translated) != mnemonics(source):
                wrong.append(f"keyboard shortcut (&) lost or doubled: {where}")
            if source[:1].isspace() != translated[:1].isspace():
                wrong.append(f"leading space differs: {where}")
            if source[-1:].isspace() != translated[-1:].isspace():
                wrong.append(f"trailing space differs: {where}")
    assert not wrong, "\n".join(wrong)


def test_the_catalog_is_a_standard_gettext_file_with_two_plural_forms() -> None:
    header = CATALOG.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    translations = i18n.catalog_translations(LANGUAGE)
    assert translations.gettext("Manage credits") == "Gestionar créditos"
    ready = ("{count} statement ready.", "{count} statements ready.")
    assert translations.ngettext(*ready, 1).format(count=1) == "1 extracto listo."
    assert translations.ngettext(*ready, 3).format(count=3) == "3 extractos listos."


def unmarked(source: str, where: str) -> list[str]:
    """Literal texts handed to a widget, a message box or a column without tr()."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in SHOWN:
            continue
        owner = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(owner, ast.Name) and owner.id in {"log", "logger", "logging"}:
            continue  # the log stays English
        for argument in [*node.args, *(k.value for k in node.keywords if k.arg == "text")]:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                text = argument.value
            elif isinstance(argument, ast.JoinedStr):
                text = "".join(
                    part.value
                    for part in argument.values
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                )
            else:
                continue
            words = text.strip()
            if not re.search(r"[A-Za-z]", words) or words in ALLOWED:
                continue
            if isinstance(argument, ast.Constant) and CODE.fullmatch(words):
                continue
            found.append(f"{where}:{argument.lineno}: {name}({text!r})")
    return found


def test_no_user_visible_literal_is_left_unmarked() -> None:
    found = [
        line
        for path in FILES
        for line in unmarked(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "wrap these in tr(...):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('label = QLabel("Amount:", self)', 1),
        ('button.setToolTip(f"Save {name}")', 1),
        ('box.addRow(tr("Amount:"), edit)', 0),
        ('combo.addItem(tr("Daily"), "daily")', 0),
        ('self.setObjectName("creditNoteDialog")', 0),
        ('value.setText("—")', 0),
        ('value.setText(f"{amount} {unit}")', 0),
        ('log.warning("cannot read %s", path)', 0),
        ('QMessageBox.warning(self, "Print", text)', 1),
    ],
)
def test_the_unmarked_check_finds_literals(source: str, expected: int) -> None:
    assert len(unmarked(source, "sample.py")) == expected
