"""Texts that come from the services (error messages, summaries, refusals), in the GUI's language.

The services, the command line, the HTTP API and the offline outbox speak English: an error
crosses HTTP and waits in the outbox as plain English text. So the GUI translates a service text
*from its English wording*, by template:

* every message the code can produce is known as a **template**, its English text with the
  f-string's values as numbered placeholders (``"there is no invoice {1}"``). The templates are
  extracted from the source with :mod:`ast` (every string or f-string given to a
  :class:`~billing_desktop.domain.errors.BillingError` constructor, the module constants raised,
  the strings of the services' ``summary``/``describe`` methods and refusal texts, plus a few
  written out in :data:`EXTRA_TEMPLATES`) into ``resources/locale/service_messages.pot``;
* ``resources/locale/<lang>/services.po`` translates each template (the ``msgstr`` may reorder
  ``{2} … {1}``);
* :func:`translate_message` matches a text against the templates (anchored regexes, non-greedy
  placeholders; when several match, the one with the most literal text wins), translates the
  values it captured that are service texts themselves (an import error's reason), and puts
  them back into the translation. A text no template matches is returned unchanged.

``python -m billing_desktop.ui.service_messages --write`` regenerates the ``.pot``; ``--check``
fails when it is stale (CI runs it); ``--untranslated`` lists templates ``services.po`` lacks.
"""

from __future__ import annotations

import argparse
import ast
import re
import string
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from billing_desktop.ui import i18n

CATALOG_NAME = "services.po"
TEMPLATES_NAME = "service_messages.pot"
PACKAGE = Path(__file__).resolve().parents[1]
REPOSITORY = PACKAGE.parent
TEMPLATES_FILE = REPOSITORY / "resources" / "locale" / TEMPLATES_NAME
ERRORS_FILE = PACKAGE / "domain" / "errors.py"

# Where the GUI gets texts from: everything but the GUI itself (its texts are tr()-marked) and
# the command line (English by design, never shown in the GUI).
SKIPPED_PARTS = {"ui", "cli"}
SKIPPED_FILES = {"__main__.py", "terminal.py", "selftest.py"}

# Exceptions whose message a user reads (BillingError and every subclass found in the source;
# BadValue: a CSV value's problem, which an import error quotes).
ERROR_ROOTS = {"BillingError", "BadValue"}
# Functions and methods whose string results the GUI shows as they are.
TEXT_FUNCTIONS = re.compile(
    r"^(summary|_?describe|lines|banner_text|_price_text|ineligibility|late_record_message|"
    r"_clash_message|refusal|.*_refusal|.*_problem|filters_text)$"
)
# Module constants whose value the GUI shows (refusals, notes), beyond those raised.
TEXT_CONSTANTS = re.compile(
    r"^([A-Z0-9_]*(REFUSAL|ONLY|NOTE|ACCOUNTS?|INVOICES|NEEDS_ACCOUNT)|NO_PRICE)$"
)
# Module tables of words a message is built from ("SMS messages: 2,500 of 3,000 …"): their
# string values are templates too, single words included.
TEXT_TABLES = {"domain/quotas.py": {"_LABELS", "_UNITS", "_UNITS_ONE"}}
# Calls that record an import problem: their string arguments are messages too.
MESSAGE_CALLS = {"_error", "_Error", "problems.append"}
# Calls that report a long task's progress: their texts are shown in the status bar and the
# progress dialogs (TaskState.progress(fraction, text), RenderHooks.report(fraction, text)).
PROGRESS_CALLS = {"progress", "report"}
# Variables and keyword arguments holding a reason the GUI shows (the outbox's refusals).
REASON_NAMES = {"reason"}
# Calls whose last string argument is an action a refusal names ("you may not <action>: …").
ACTION_CALLS = {"require", "_require", "_require_edit"}

# Messages the extraction cannot see whole (their wording is chosen from a table, or built
# from parts by a caller); written out here. Keep each exactly as the code produces it.
EXTRA_TEMPLATES: tuple[str, ...] = (
    # services/credits.CreditChange.summary: "{what} {amount} ({reference}, {day})."
    "Purchased credits of {1} ({2}, {3}).",
    "One-time payment of {1} ({2}, {3}).",
    "Added {1} ({2}, {3}).",
    "Auto-recharge added {1} ({2}, {3}).",
    # services/imports: an import problem is "<file>[, line N][, column 'C']: <reason>"
    "{1}, line {2}, column '{3}': {4}",
    "{1}, line {2}: {3}",
    "{1}, column '{2}': {3}",
    "{1}: {2}",
    # services/account.AccountChange.summary: "Saved <fields>." then the messages
    "Saved {1}.",
    # Words a message is built from: domain/access.Rights.require's "{need} {area.label}",
    # the "row"/"rows" of import and audit summaries.
    "edit",
    "view",
    "Usage",
    "Billing Units",
    "Plans",
    "Invoices",
    "Usage Data",
    "row",
    "rows",
    # services/units/commands: "Assign 2 users to Sales" (the counts of one kind)
    "{1} user",
    "{1} users",
    "{1} number",
    "{1} numbers",
    # The field a service names when it checks an amount itself (domain/money.credit_amount's
    # ``what``): "Threshold: enter an amount in USD"
    "the amount",
    "Amount",
    "Prepaid amount",
    "Purchase amount",
    "Payment amount",
    "Recharge amount",
    "Threshold",
    # … and both kinds: "Assign 2 users and 1 number to Sales"
    "{1} user and {2} number",
    "{1} user and {2} numbers",
    "{1} users and {2} number",
    "{1} users and {2} numbers",
    # domain/quotas.Statistic.units: "2,500 messages", "1 interview"
    "{1} interview",
    "{1} interviews",
    "{1} message",
    "{1} messages",
    "{1} minute",
    "{1} minutes",
    # services/quotas.banner_text: the verb agrees with the quantity beyond the quota
    "The {1} beyond it costs {2} at list price: {3}. An add-on pack may cost less.",
    "The {1} beyond it cost {2} at list price: {3}. An add-on pack may cost less.",
    "The {1} beyond it has {2}.",
    "The {1} beyond it have {2}.",
    # services/quotas._price_text: "{each} per {unit}{tiered}, “{product}” on the rate card"
    # ({tiered} is one of two texts: written out, so the unit is not split from it)
    "{1} per {2}, less in its higher tiers, “{3}” on the rate card",
    "{1} per {2}, “{3}” on the rate card",
    # services/session_ranges.refusal: only hours are ever refused
    "Hour buckets are for ranges of up to {1} days; this range has {2}: pick day, week or month",
    # one-word progress texts (reports/layout.py, archive/bundle.py, remote/replica.py)
    "Done",
    "Synced",
    # domain/money.credit_amount: "{what}: give an amount {least} ({text} is not)"
    "more than zero",
    "zero or more",
)
IMPORT_SUFFIX = re.compile(r" \(and (\d+) more errors?\)\Z")
PLACEHOLDER = object()  # a value in a template's parts

Part = str | object


# -- extraction (development: reads the source) ----------------------------------------------


def _source_files(package: Path = PACKAGE) -> Iterator[Path]:
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in SKIPPED_PARTS or path.name in SKIPPED_FILES:
            continue
        if "migrations" in relative.parts:
            continue
        yield path


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _render(parts: Iterable[Part]) -> str:
    out: list[str] = []
    number = 0
    for part in parts:
        if part is PLACEHOLDER:
            number += 1
            out.append(f"{{{number}}}")
        else:
            assert isinstance(part, str)
            out.append(_escape(part))
    return "".join(out)


def _is_prose(parts: list[Part]) -> bool:
    """Worth translating: some literal words, not only values and punctuation."""
    literal = "".join(p for p in parts if isinstance(p, str))
    return sum(c.isalpha() for c in literal) >= 3 and (" " in literal or PLACEHOLDER in parts)


class _Extractor(ast.NodeVisitor):
    def __init__(self, errors: set[str], constants: dict[str, set[str]]) -> None:
        self.errors = errors
        self.constants = constants
        self.found: set[str] = set()
        self.raised_names: set[str] = set()
        self._text_function_depth = 0

    # A node's possible texts, each as parts (literals and PLACEHOLDERs).
    def texts(self, node: ast.AST, whole: bool = True) -> list[list[Part]]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [[node.value]]
        if isinstance(node, ast.JoinedStr):
            parts: list[Part] = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append(PLACEHOLDER)
            return [parts]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            lefts, rights = self.texts(node.left, False), self.texts(node.right, False)
            return [left + right for left in lefts for right in rights]
        if isinstance(node, ast.IfExp):
            return self.texts(node.body, whole) + self.texts(node.orelse, whole)
        if isinstance(node, ast.Name) and node.id in self.constants:
            self.raised_names.add(node.id)
            return [[value] for value in sorted(self.constants[node.id])]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
        ):
            return [_format_parts(node.func.value.value)]
        if isinstance(node, ast.List | ast.Tuple) and whole:
            return [t for element in node.elts for t in self.texts(element)]
        return [] if whole else [[PLACEHOLDER]]

    def add(self, node: ast.AST) -> None:
        for parts in self.texts(node):
            if _is_prose(parts):
                self.found.add(_render(parts))

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node.func)
        if name in self.errors or name in MESSAGE_CALLS:
            for argument in node.args:
                if isinstance(argument, ast.Tuple) and name in MESSAGE_CALLS:
                    argument = argument.elts[-1]  # problems.append((column, message))
                if name in MESSAGE_CALLS and not isinstance(
                    argument, ast.Constant | ast.JoinedStr | ast.BinOp | ast.IfExp
                ):
                    continue
                self.add(argument)
                if name in self.errors:
                    break  # the message; other arguments are data
        if name in ACTION_CALLS:
            self._action(node)
        if name in PROGRESS_CALLS:
            for argument in node.args[1:]:
                self.add(argument)
        for keyword in node.keywords:
            if keyword.arg in REASON_NAMES:  # update_op(seq, status=REFUSED, reason=…)
                self.add(keyword.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(isinstance(t, ast.Name) and t.id in REASON_NAMES for t in node.targets):
            self.add(node.value)  # reason = f"…": why the outbox refused a change
        self.generic_visit(node)

    def _action(self, node: ast.Call) -> None:
        last = node.args[-1] if node.args else None
        if isinstance(last, ast.Constant) and isinstance(last.value, str) and " " in last.value:
            self.found.add(_escape(last.value))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if TEXT_FUNCTIONS.match(node.name):
            self._text_function_depth += 1
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring
            for statement in body:
                self._strings_in(statement)
            self._text_function_depth -= 1
        self.generic_visit(node)

    def _strings_in(self, statement: ast.AST) -> None:
        skip: set[int] = set()
        for node in ast.walk(statement):
            if id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr | ast.BinOp | ast.IfExp) or (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
            ):
                if isinstance(node, ast.BinOp | ast.IfExp) and not self.texts(node):
                    continue
                self.add(node)
                skip.update(id(child) for child in ast.walk(node))
            elif isinstance(node, ast.Subscript | ast.Compare) or _call_name(
                getattr(node, "func", None)
            ) in {"get", "startswith", "endswith", "setdefault"}:
                # dictionary keys, comparisons: data, not words shown
                skip.update(id(child) for child in ast.walk(node))
            elif isinstance(node, ast.Attribute) and node.attr == "join":
                skip.update(id(child) for child in ast.walk(node.value))  # " and ".join(…)
            elif isinstance(node, ast.Dict):
                skip.update(id(child) for key in node.keys if key for child in ast.walk(key))

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]


def _format_parts(text: str) -> list[Part]:
    parts: list[Part] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        if literal:
            parts.append(literal)
        if field is not None:
            parts.append(PLACEHOLDER)
    return parts


def _call_name(func: ast.AST | None) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id == "problems":
            return f"problems.{func.attr}"
        return func.attr
    return ""


def _error_classes(trees: list[ast.Module]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {_call_name(b) for b in node.bases}
    found = set(ERROR_ROOTS)
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return found


def _module_constants(trees: list[ast.Module]) -> dict[str, set[str]]:
    constants: dict[str, set[str]] = {}
    for tree in trees:
        for node in tree.body:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        constants.setdefault(target.id, set()).add(node.value.value)
    return constants


def extract_templates(package: Path = PACKAGE) -> list[str]:
    """Every service message template of the source, sorted."""
    paths = list(_source_files(package))
    trees = [ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    # The product's own exceptions, also when ``package`` is another tree that imports them.
    errors = _error_classes([*trees, ast.parse(ERRORS_FILE.read_text(encoding="utf-8"))])
    constants = _module_constants(trees)
    extractor = _Extractor(errors, constants)
    for tree in trees:
        extractor.visit(tree)
    for path, tree in zip(paths, trees, strict=True):
        tables = TEXT_TABLES.get(path.relative_to(package).as_posix(), set())
        for node in tree.body:
            if not (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in tables
                and isinstance(node.value, ast.Dict)
            ):
                continue
            for word in node.value.values:
                if isinstance(word, ast.Constant) and isinstance(word.value, str):
                    extractor.found.add(_escape(word.value))
    for name, values in constants.items():
        if TEXT_CONSTANTS.match(name):
            for value in values:
                if _is_prose([value]):
                    extractor.found.add(_escape(value))
    found = extractor.found | set(EXTRA_TEMPLATES)
    return sorted(found, key=lambda t: (t.casefold(), t))


def pot_text(templates: list[str]) -> str:
    """The ``.pot`` file of ``templates`` (stable: no dates, no source lines)."""
    lines = [
        "# Service messages shown in the GUI: English templates, {1} {2} … are the values.",
        "# Generated by `python -m billing_desktop.ui.service_messages --write`; do not edit.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        "",
    ]
    for template in templates:
        lines += [f"msgid {_po_quote(template)}", 'msgstr ""', ""]
    return "\n".join(lines)


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def read_templates(path: Path = TEMPLATES_FILE) -> list[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    return [str(m.id) for m in catalog if m.id]


# -- matching (run time) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    translation: str
    pattern: re.Pattern[str]
    literal: int  # characters of literal text: the most specific template wins
    quoted: tuple[bool, ...] = ()  # per value: between quotes, a name as given (kept as is)


OPENING_QUOTES = "'\"‘“«<"
CLOSING_QUOTES = "'\"’”»>"


def compile_template(source: str, translation: str) -> Template | None:
    pattern: list[str] = []
    literal = 0
    parts = list(string.Formatter().parse(source))
    quoted: list[bool] = []
    for index, (text, field, _spec, _conversion) in enumerate(parts):
        pattern.append(re.escape(text))
        literal += len(text)
        if field is not None:
            pattern.append("(.*?)")
            after = parts[index + 1][0] if index + 1 < len(parts) else ""
            quoted.append(text[-1:] in OPENING_QUOTES and after[:1] in CLOSING_QUOTES)
    if literal == 0:
        return None  # "{1}" alone would match anything
    compiled = re.compile("\\A" + "".join(pattern) + "\\Z", re.S)
    return Template(source, translation, compiled, literal, tuple(quoted))


@lru_cache(maxsize=4)
def _templates(language: str) -> tuple[Template, ...]:
    """The templates translated into ``language``, most literal text first."""
    from babel.messages.pofile import read_po

    found: list[Template] = []
    for folder in i18n.locale_folders():
        path = folder / language / CATALOG_NAME
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or message.fuzzy or not isinstance(message.string, str):
                continue
            if not message.string:
                continue
            template = compile_template(str(message.id), message.string)
            if template is not None:
                found.append(template)
        break
    found.sort(key=lambda t: (-t.literal, t.source))
    return tuple(found)


def _suffix(extra: int) -> str:
    return i18n.ntr(" (and {count} more error)", " (and {count} more errors)", extra).format(
        count=extra
    )


def translate_message(text: str) -> str:
    """``text`` (an English service message) in the GUI's language; unchanged in English and
    when no template matches."""
    language = i18n.current_language()
    if language == i18n.SOURCE_LANGUAGE or not text:
        return text
    return _translate(text, language)


@lru_cache(maxsize=2048)
def _translate(text: str, language: str) -> str:
    more = IMPORT_SUFFIX.search(text)
    if more is not None:  # ImportFailed: "<first error> (and N more errors)"
        return _translate(text[: more.start()], language) + _suffix(int(more.group(1)))
    if "\n" in text:  # a summary of several lines
        return "\n".join(_translate(line, language) for line in text.split("\n"))
    whole = _match(text, language, depth=0)
    if whole is not None:
        return whole
    # Sentences joined by a caller ("Saved name. Auto-recharge was switched off …").
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Z])", text)
    if len(sentences) > 1:
        return " ".join(_match(s, language, depth=0) or s for s in sentences)
    return text


MAX_DEPTH = 4  # values inside values: "… costs {1}" where {1} is "{2} per {3}…"

# A value the services formatted for English: money ("-$1,234.50", "CHF 12.00") as
# domain.money.format_money writes it, or a count with thousands separators ("2,500").
_BODY = r"\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?"
ENGLISH_MONEY = re.compile(rf"(?P<sign>-?)(?P<symbol>[^\d\s-][^\d\s]*?) ?(?P<body>{_BODY})")
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


@lru_cache(maxsize=1)
def _currencies() -> dict[str, str]:
    """English currency symbol -> ISO code, for the symbols only one currency uses."""
    from babel.numbers import get_currency_symbol, list_currencies

    found: dict[str, set[str]] = {}
    for code in list_currencies():
        found.setdefault(str(get_currency_symbol(code, locale="en")), set()).add(code)
    return {symbol: codes.pop() for symbol, codes in found.items() if len(codes) == 1}


def localise_value(value: str) -> str:
    """``value`` in the GUI's formats when it is money or a grouped count as the services
    write them in English ("$1,234.50" -> "1.234,50 US$"); anything else as it is."""
    from decimal import Decimal, InvalidOperation

    from billing_desktop.ui.locale_format import format_money, format_number

    money = ENGLISH_MONEY.fullmatch(value)
    if money is not None:
        currency = _currencies().get(money["symbol"])
        if currency is not None:
            try:
                amount = Decimal(money["body"].replace(",", ""))
            except InvalidOperation:
                return value
            exponent = amount.as_tuple().exponent
            keep = isinstance(exponent, int) and -exponent > 2  # a unit price: $0.0125
            shown = format_money(
                -amount if money["sign"] else amount, currency, keep_precision=keep
            )
            return shown
    if GROUPED.fullmatch(value):
        return format_number(Decimal(value.replace(",", "")))
    return value


@lru_cache(maxsize=4096)
def _match(text: str, language: str, depth: int) -> str | None:
    for template in _templates(language):
        found = template.pattern.match(text)
        if found is None:
            continue
        values = [
            value
            if quoted
            else localise_value(value)
            if depth >= MAX_DEPTH or not any(c.isalpha() for c in value)
            else _match(value, language, depth + 1) or localise_value(value)
            for value, quoted in zip(found.groups(), template.quoted, strict=True)
        ]
        try:
            return template.translation.format(None, *values)
        except (IndexError, KeyError, ValueError):
            return text  # a broken translation: the English text rather than nothing
    return None


def clear_cache() -> None:
    """Forget the loaded templates and translations (after the language changes)."""
    _templates.cache_clear()
    _translate.cache_clear()
    _match.cache_clear()


# -- command line (development and CI) -------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m billing_desktop.ui.service_messages")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate the .pot")
    action.add_argument("--check", action="store_true", help="fail when the .pot is stale")
    action.add_argument(
        "--untranslated", metavar="LANG", help="list the templates LANG's services.po lacks"
    )
    args = parser.parse_args(argv)
    templates = extract_templates()
    if args.write:
        TEMPLATES_FILE.write_text(pot_text(templates), encoding="utf-8")
        print(f"{TEMPLATES_FILE.relative_to(REPOSITORY)}: {len(templates)} templates")
        return 0
    if args.check:
        current = TEMPLATES_FILE.read_text(encoding="utf-8") if TEMPLATES_FILE.exists() else ""
        if current != pot_text(templates):
            print(
                f"{TEMPLATES_FILE.relative_to(REPOSITORY)} is stale: run "
                "python -m billing_desktop.ui.service_messages --write, then translate the "
                "new templates in resources/locale/*/services.po",
                file=sys.stderr,
            )
            return 1
        print(f"{TEMPLATES_FILE.relative_to(REPOSITORY)} is current ({len(templates)} templates)")
        return 0
    known = {t.source for t in _templates(args.untranslated)}
    missing = [t for t in templates if t not in known]
    for template in missing:
        print(template)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["clear_cache", "extract_templates", "translate_message"]
