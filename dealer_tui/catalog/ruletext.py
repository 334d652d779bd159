"""The plain-text catalogue file: one file per model range, one item a line.

A file reads like this (``#`` starts a comment, names go in double quotes,
codes are upper case, prices are list prices with at most two decimals)::

    range FH "Volvo FH"
    make "Volvo Trucks"
    currency AUD

    model FH-PM42 "FH 4x2 prime mover" 289500.00
    model FH-EL "FH Electric 6x2" 689000.00 default BAT-540

    family ENGINE "Engine" exactly-one
    option D13K460 "D13K 460 hp" 0.00 default
    option D17A780 "D17A 780 hp" 48500.00

    rule requires D17A780 -> ATO3112F | ATO3112D
    rule excludes D17A780 ATO2612F
    rule unavailable FT-900 for FH-EL valid 2026-07-01..
    rule family FUEL at-most-one for FH-EL

    compat ENGINE GEARBOX
      D13K460: ATO2612F ATO3112F
      D17A780: ATO3112F
    end

A family heading says how many of its options a truck carries:
``exactly-one``, ``at-most-one`` or ``any``; its ``option`` lines follow
it. A ``rule`` or ``compat`` line may end with ``for MODEL ...`` and with
``valid FROM..TO`` (either end may be left open). Each row of a ``compat``
table says which options of the second family go with an option of the
first; an option without a row is not limited by the table.

The parser never stops at the first mistake: it keeps every good line and
returns, with the catalogue, one problem for each bad one, naming the file,
the line and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    Compatible,
    Excludes,
    Family,
    FamilyCount,
    Option,
    Requires,
    Rule,
    Scope,
    SourceLine,
    TruckModel,
    Unavailable,
)

_TOKEN = re.compile(r'"(?P<quoted>[^"]*)"|(?P<word>[^\s"]+)|(?P<stray>")')
_CODE = re.compile(r"[A-Z0-9][A-Z0-9._/+-]*\Z")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_PRICE = re.compile(r"-?\d+(\.\d{1,2})?\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SCOPE_WORDS = ("for", "valid")


@dataclass(frozen=True)
class CatalogueProblem:
    """One thing wrong in a catalogue file, naming its line and field."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}, {self.field}: {self.message}"


@dataclass(frozen=True)
class ParsedCatalogue:
    """A parsed catalogue file: what could be read, and what was wrong."""

    catalogue: Catalogue
    problems: tuple[CatalogueProblem, ...]

    @property
    def ok(self) -> bool:
        """Whether the file had no problem at all."""
        return not self.problems


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool


@dataclass
class _PendingFamily:
    code: str
    name: str
    cardinality: Cardinality
    source: SourceLine
    options: list[str] = field(default_factory=list)


@dataclass
class _PendingTable:
    first: str
    second: str
    scope: Scope
    source: SourceLine
    rows: set[str] = field(default_factory=set)


class _LineError(Exception):
    """A line cannot be used; carries the field and the sentence."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


def parse_catalogue(text: str, file_name: str) -> ParsedCatalogue:
    """Read a catalogue file's text; return the catalogue and every problem."""
    return _Parser(file_name).parse(text)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        if match.group("stray") is not None:
            raise _LineError("quotes", "a name's closing quote is missing")
        if match.group("quoted") is not None:
            tokens.append(_Token(match.group("quoted"), quoted=True))
            continue
        word = match.group("word")
        if word.startswith("#"):
            break
        tokens.append(_Token(word, quoted=False))
    return tokens


def _code(token: _Token | None, field_name: str) -> str:
    if token is None:
        raise _LineError(field_name, "is missing")
    if token.quoted or not _CODE.match(token.text):
        raise _LineError(
            field_name,
            f"{token.text!r} is not a code (upper-case letters, digits, "
            "and . _ / + - inside)",
        )
    return token.text


def _name(token: _Token | None, field_name: str) -> str:
    if token is None:
        raise _LineError(field_name, "is missing")
    if not token.quoted:
        raise _LineError(field_name, f"put the name {token.text!r} in double quotes")
    if not token.text.strip():
        raise _LineError(field_name, "is empty")
    return token.text.strip()


def _price(token: _Token | None, field_name: str) -> Decimal:
    if token is None:
        raise _LineError(field_name, "is missing")
    if token.quoted or not _PRICE.match(token.text):
        raise _LineError(
            field_name,
            f"{token.text!r} is not an amount such as 12500 or 12500.00",
        )
    try:
        return Decimal(token.text)
    except InvalidOperation as error:  # pragma: no cover - the pattern allows none
        raise _LineError(field_name, f"{token.text!r} is not an amount") from error


def _date(text: str) -> date | None:
    if not text:
        return None
    if not _DATE.match(text):
        raise _LineError("valid", f"{text!r} is not a date written as 2026-07-01")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise _LineError("valid", f"{text} is not a date in the calendar") from error


def _period(token: _Token | None) -> tuple[date | None, date | None]:
    if token is None or ".." not in token.text:
        raise _LineError("valid", "write the period as FROM..TO, e.g. 2026-01-01..")
    start_text, _, end_text = token.text.partition("..")
    start, end = _date(start_text), _date(end_text)
    if start is None and end is None:
        raise _LineError("valid", "give at least one end of the period")
    if start and end and end < start:
        raise _LineError("valid", f"the period ends ({end}) before it starts ({start})")
    return start, end


class _Parser:
    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.problems: list[CatalogueProblem] = []
        self.header: dict[str, tuple[str, ...]] = {}
        self.models: list[TruckModel] = []
        self.families: list[_PendingFamily] = []
        self.options: list[Option] = []
        self.rules: list[Rule] = []
        self.family: _PendingFamily | None = None
        self.table: _PendingTable | None = None
        self.line = 0

    def problem(self, line: int, field_name: str, message: str) -> None:
        """Record a problem found on a line."""
        self.problems.append(
            CatalogueProblem(self.file_name, line, field_name, message)
        )

    @property
    def source(self) -> SourceLine:
        """Where the line being read sits in the file."""
        return SourceLine(self.file_name, self.line)

    def parse(self, text: str) -> ParsedCatalogue:
        """Read every line, then check the whole catalogue."""
        for number, raw in enumerate(text.splitlines(), start=1):
            self.line = number
            try:
                tokens = _tokens(raw)
                if tokens:
                    self.read(tokens)
            except _LineError as error:
                self.problem(number, error.field_name, error.message)
        if self.table is not None:
            self.problem(
                self.table.source.line,
                "compat",
                "the table has no closing 'end' line",
            )
            self.table = None
        catalogue = self.finish()
        # Problems found while reading come before those found by checking
        # the whole file; the reader wants them in the order of the lines.
        problems = sorted(self.problems, key=lambda problem: problem.line)
        return ParsedCatalogue(catalogue, tuple(problems))

    def read(self, tokens: list[_Token]) -> None:
        """Read one line, sending it to the reader of its first word."""
        head = tokens[0]
        if self.table is not None:
            if not head.quoted and head.text == "end":
                table, self.table = self.table, None
                self.expect_end(tokens, 1)
                if not table.rows:
                    raise _LineError("compat", "the table has no row")
                return
            self.read_row(tokens)
            return
        handler = {
            "range": self.read_range,
            "make": self.read_make,
            "currency": self.read_currency,
            "model": self.read_model,
            "family": self.read_family,
            "option": self.read_option,
            "rule": self.read_rule,
            "compat": self.read_compat,
        }.get(head.text if not head.quoted else "")
        if handler is None:
            raise _LineError(
                "line",
                f"{head.text!r} is not one of range, make, currency, model, "
                "family, option, rule, compat",
            )
        handler(tokens[1:])

    def expect_end(self, tokens: list[_Token], used: int) -> None:
        """Refuse words left over after a line's last field."""
        if len(tokens) > used:
            extra = " ".join(t.text for t in tokens[used:])
            raise _LineError("line", f"unexpected {extra!r} at the end of the line")

    def set_header(self, key: str, values: tuple[str, ...]) -> None:
        """Keep a header line's values, refusing a second such line."""
        if key in self.header:
            raise _LineError(key, f"the {key} is given twice")
        self.header[key] = values

    def read_range(self, tokens: list[_Token]) -> None:
        """Read ``range CODE "Name"``."""
        code = _code(tokens[0] if tokens else None, "range code")
        name = _name(tokens[1] if len(tokens) > 1 else None, "range name")
        self.expect_end(tokens, 2)
        self.set_header("range", (code, name))

    def read_make(self, tokens: list[_Token]) -> None:
        """Read ``make "Name"``."""
        name = _name(tokens[0] if tokens else None, "make")
        self.expect_end(tokens, 1)
        self.set_header("make", (name,))

    def read_currency(self, tokens: list[_Token]) -> None:
        """Read ``currency AUD``."""
        token = tokens[0] if tokens else None
        if token is None or token.quoted or not _CURRENCY.match(token.text):
            shown = token.text if token else ""
            raise _LineError("currency", f"{shown!r} is not a code such as AUD")
        self.expect_end(tokens, 1)
        self.set_header("currency", (token.text,))

    def read_model(self, tokens: list[_Token]) -> None:
        """Read ``model CODE "Name" PRICE [default OPTION ...]``."""
        code = _code(tokens[0] if tokens else None, "model code")
        name = _name(tokens[1] if len(tokens) > 1 else None, "model name")
        price = _price(tokens[2] if len(tokens) > 2 else None, "base price")
        defaults: tuple[str, ...] = ()
        if len(tokens) > 3:
            if tokens[3].quoted or tokens[3].text != "default":
                raise _LineError(
                    "default", "after the base price only 'default CODE ...' may follow"
                )
            defaults = tuple(_code(t, "default") for t in tokens[4:])
            if not defaults:
                raise _LineError("default", "name at least one option after 'default'")
        if code in {m.code for m in self.models}:
            raise _LineError("model code", f"model {code} is declared twice")
        self.models.append(TruckModel(code, name, price, defaults, self.source))

    def read_family(self, tokens: list[_Token]) -> None:
        """Read ``family CODE "Name" exactly-one|at-most-one|any``."""
        self.family = None
        code = _code(tokens[0] if tokens else None, "family code")
        name = _name(tokens[1] if len(tokens) > 1 else None, "family name")
        cardinality = self.cardinality(tokens[2] if len(tokens) > 2 else None, True)
        self.expect_end(tokens, 3)
        if code in {f.code for f in self.families}:
            raise _LineError("family code", f"family {code} is declared twice")
        self.family = _PendingFamily(code, name, cardinality, self.source)
        self.families.append(self.family)

    def cardinality(self, token: _Token | None, allow_any: bool) -> Cardinality:
        """The family count a word names."""
        allowed = [c for c in Cardinality if allow_any or c is not Cardinality.ANY]
        words = ", ".join(c.value for c in allowed)
        if token is None:
            raise _LineError("cardinality", f"is missing; write one of {words}")
        for cardinality in allowed:
            if not token.quoted and token.text == cardinality.value:
                return cardinality
        raise _LineError("cardinality", f"{token.text!r} is not one of {words}")

    def read_option(self, tokens: list[_Token]) -> None:
        """Read ``option CODE "Name" PRICE [default]``, in the last family."""
        if self.family is None:
            raise _LineError("option", "an option must follow a family line")
        code = _code(tokens[0] if tokens else None, "option code")
        name = _name(tokens[1] if len(tokens) > 1 else None, "option name")
        price = _price(tokens[2] if len(tokens) > 2 else None, "price")
        default = False
        if len(tokens) > 3:
            if tokens[3].quoted or tokens[3].text != "default":
                raise _LineError(
                    "default", f"{tokens[3].text!r}: only 'default' may follow a price"
                )
            default = True
            self.expect_end(tokens, 4)
        if code in {o.code for o in self.options}:
            raise _LineError("option code", f"option {code} is declared twice")
        self.options.append(
            Option(code, name, self.family.code, price, default, self.source)
        )
        self.family.options.append(code)

    def split_scope(self, tokens: list[_Token]) -> tuple[list[_Token], Scope]:
        """Split a rule's own words from its ``for`` and ``valid`` limits."""
        cut = next(
            (
                i
                for i, t in enumerate(tokens)
                if not t.quoted and t.text in _SCOPE_WORDS
            ),
            len(tokens),
        )
        body, rest = tokens[:cut], tokens[cut:]
        models: set[str] = set()
        period: tuple[date | None, date | None] = (None, None)
        seen: set[str] = set()
        index = 0
        while index < len(rest):
            word = rest[index].text
            if word in seen:
                raise _LineError(word, f"'{word}' is given twice on the line")
            seen.add(word)
            index += 1
            if word == "valid":
                period = _period(rest[index] if index < len(rest) else None)
                index += 1
                continue
            start = index
            while index < len(rest) and rest[index].text not in _SCOPE_WORDS:
                models.add(_code(rest[index], "for"))
                index += 1
            if index == start:
                raise _LineError("for", "name at least one model after 'for'")
        return body, Scope(frozenset(models), *period)

    def read_rule(self, tokens: list[_Token]) -> None:
        """Read ``rule requires|excludes|unavailable|family ...`` with its scope."""
        body, scope = self.split_scope(tokens)
        kind = body[0].text if body and not body[0].quoted else ""
        arguments = body[1:]
        source = self.source
        if kind == "requires":
            trigger, targets = self.requires_parts(arguments)
            self.rules.append(Requires(trigger, targets, scope=scope, source=source))
        elif kind == "excludes":
            codes = [_code(t, "excluded option") for t in arguments]
            if len(codes) < 2:
                raise _LineError(
                    "rule", "excludes needs an option and what it excludes"
                )
            self.rules.append(
                Excludes(codes[0], tuple(codes[1:]), scope=scope, source=source)
            )
        elif kind == "unavailable":
            codes = tuple(_code(t, "unavailable option") for t in arguments)
            if not codes:
                raise _LineError("rule", "unavailable needs at least one option")
            self.rules.append(Unavailable(codes, scope=scope, source=source))
        elif kind == "family":
            family = _code(arguments[0] if arguments else None, "family code")
            count = self.cardinality(
                arguments[1] if len(arguments) > 1 else None, False
            )
            if len(arguments) > 2:
                raise _LineError("rule", "a family rule names one family and a count")
            self.rules.append(FamilyCount(family, count, scope=scope, source=source))
        else:
            shown = body[0].text if body else ""
            raise _LineError(
                "rule",
                f"{shown!r} is not one of requires, excludes, unavailable, family",
            )

    def requires_parts(self, arguments: list[_Token]) -> tuple[str, tuple[str, ...]]:
        """The trigger and targets of ``requires A -> B | C``."""
        trigger = _code(arguments[0] if arguments else None, "requiring option")
        if len(arguments) < 3 or arguments[1].text != "->":
            raise _LineError("rule", "write requires A -> B or requires A -> B | C")
        targets: list[str] = []
        expect_code = True
        for token in arguments[2:]:
            if expect_code:
                targets.append(_code(token, "required option"))
            elif token.quoted or token.text != "|":
                raise _LineError(
                    "rule",
                    f"separate the required options with '|', not {token.text!r}",
                )
            expect_code = not expect_code
        if expect_code:
            raise _LineError("rule", "the line ends with '|'; name one more option")
        return trigger, tuple(targets)

    def read_compat(self, tokens: list[_Token]) -> None:
        """Read ``compat FIRST SECOND`` opening a table, with its scope."""
        body, scope = self.split_scope(tokens)
        first = _code(body[0] if body else None, "first family")
        second = _code(body[1] if len(body) > 1 else None, "second family")
        self.expect_end(body, 2)
        if first == second:
            raise _LineError("second family", "a table pairs two different families")
        self.table = _PendingTable(first, second, scope, self.source)

    def read_row(self, tokens: list[_Token]) -> None:
        """Read one table row, ``OPTION: PARTNER ...``."""
        table = self.table
        assert table is not None
        head = tokens[0]
        if head.text.endswith(":") and not head.quoted:
            head = _Token(head.text[:-1], quoted=False)
            partners = tokens[1:]
        elif len(tokens) > 1 and tokens[1].text == ":":
            partners = tokens[2:]
        else:
            raise _LineError("row", "write a table row as OPTION: PARTNER PARTNER ...")
        option = _code(head, "row option")
        codes = tuple(_code(t, "partner option") for t in partners)
        if option in table.rows:
            raise _LineError("row option", f"{option} has two rows in this table")
        table.rows.add(option)
        self.rules.append(
            Compatible(
                table.first,
                table.second,
                option,
                codes,
                scope=table.scope,
                source=self.source,
            )
        )

    def finish(self) -> Catalogue:
        """Check what was read as a whole and build the catalogue."""
        for key in ("range", "make", "currency"):
            if key not in self.header:
                self.problem(1, key, f"the file has no '{key}' line")
        range_code, range_name = self.header.get("range", ("", ""))
        (make,) = self.header.get("make", ("",))
        (currency,) = self.header.get("currency", ("",))
        if not self.models:
            self.problem(1, "model", "the file declares no model")
        families = tuple(self.check_family(f) for f in self.families)
        families = tuple(f for f in families if f is not None)
        draft = Catalogue(
            range_code,
            range_name,
            make,
            currency,
            (),
            families,
            tuple(self.options),
            (),
        )
        models = tuple(m for m in self.models if self.check_model(m, draft))
        rules = tuple(r for r in self.rules if self.check_rule(r, draft))
        return Catalogue(
            range_code,
            range_name,
            make,
            currency,
            models,
            families,
            tuple(self.options),
            rules,
        )

    def check_family(self, pending: _PendingFamily) -> Family | None:
        """A family as declared, with problems for no option or two defaults."""
        line = pending.source.line
        if not pending.options:
            self.problem(line, "family", f"family {pending.code} has no option")
        defaults = [
            o.code for o in self.options if o.family == pending.code and o.default
        ]
        if pending.cardinality.single_choice and len(defaults) > 1:
            self.problem(
                line,
                "default",
                f"family {pending.code} takes one option but has "
                f"{len(defaults)} defaults: {', '.join(defaults)}",
            )
        return Family(
            pending.code,
            pending.name,
            pending.cardinality,
            tuple(pending.options),
            pending.source,
        )

    def check_model(self, model: TruckModel, catalogue: Catalogue) -> bool:
        """Whether a model's own defaults name real options, one per family."""
        line = model.source.line if model.source else 0
        good = True
        families: dict[str, str] = {}
        for code in model.defaults:
            option = catalogue.options_by_code.get(code)
            if option is None:
                self.problem(line, "default", f"there is no option {code}")
                good = False
                continue
            family = catalogue.families_by_code.get(option.family)
            if family and family.cardinality.single_choice:
                if option.family in families:
                    self.problem(
                        line,
                        "default",
                        f"{families[option.family]} and {code} are both defaults "
                        f"of family {option.family}, which takes one option",
                    )
                    good = False
                families[option.family] = code
        return good

    def check_rule(self, rule: Rule, catalogue: Catalogue) -> bool:
        """Whether every model, family and option a rule names exists."""
        line = rule.source.line if rule.source else 0
        problems_before = len(self.problems)
        model_codes = {m.code for m in self.models}
        for code in sorted(rule.scope.models):
            if code not in model_codes:
                self.problem(line, "for", f"there is no model {code}")
        for family in rule.families:
            if family not in catalogue.families_by_code:
                self.problem(line, "family code", f"there is no family {family}")
        for code in _unique(rule.options):
            if code not in catalogue.options_by_code:
                self.problem(line, "option code", f"there is no option {code}")
        if isinstance(rule, Compatible):
            self.check_row(rule, catalogue, line)
        if isinstance(rule, Requires | Excludes):
            head = rule.trigger if isinstance(rule, Requires) else rule.option
            rest = rule.targets if isinstance(rule, Requires) else rule.others
            if head in rest:
                self.problem(line, "rule", f"{head} cannot name itself")
        return len(self.problems) == problems_before

    def check_row(self, rule: Compatible, catalogue: Catalogue, line: int) -> None:
        """Problems for a table row whose options sit in other families."""
        option = catalogue.options_by_code.get(rule.option)
        if option and option.family != rule.first_family:
            self.problem(
                line,
                "row option",
                f"{rule.option} is in family {option.family}, not {rule.first_family}",
            )
        for code in rule.partners:
            partner = catalogue.options_by_code.get(code)
            if partner and partner.family != rule.second_family:
                self.problem(
                    line,
                    "partner option",
                    f"{code} is in family {partner.family}, not {rule.second_family}",
                )


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def format_catalogue(catalogue: Catalogue) -> str:
    """Write a catalogue in the file format that parse_catalogue reads back.

    Consecutive rows of one compatibility table are written as one table.
    Raises ValueError for a name holding a double quote, which the format
    cannot carry.
    """
    lines = [
        f"range {catalogue.range_code} {_quoted(catalogue.range_name)}",
        f"make {_quoted(catalogue.make)}",
        f"currency {catalogue.currency}",
        "",
    ]
    for model in catalogue.models:
        default = " default " + " ".join(model.defaults) if model.defaults else ""
        lines.append(
            f"model {model.code} {_quoted(model.name)} "
            f"{_amount(model.base_price)}{default}"
        )
    for family in catalogue.families:
        lines += [
            "",
            f"family {family.code} {_quoted(family.name)} {family.cardinality}",
        ]
        for code in family.options:
            option = catalogue.options_by_code[code]
            default = " default" if option.default else ""
            lines.append(
                f"option {code} {_quoted(option.name)} {_amount(option.price)}{default}"
            )
    lines.append("")
    table: tuple[str, str, Scope] | None = None
    for rule in catalogue.rules:
        key = (
            (rule.first_family, rule.second_family, rule.scope)
            if isinstance(rule, Compatible)
            else None
        )
        if table is not None and key != table:
            lines.append("end")
            table = None
        if isinstance(rule, Compatible):
            if table is None:
                table = (rule.first_family, rule.second_family, rule.scope)
                lines.append(
                    _scoped(f"compat {rule.first_family} {rule.second_family}", rule)
                )
            lines.append(f"  {rule.option}: {' '.join(rule.partners)}".rstrip())
        else:
            lines.append(_scoped("rule " + _rule_body(rule), rule))
    if table is not None:
        lines.append("end")
    return "\n".join(lines) + "\n"


def _rule_body(rule: Rule) -> str:
    if isinstance(rule, Requires):
        return f"requires {rule.trigger} -> {' | '.join(rule.targets)}"
    if isinstance(rule, Excludes):
        return f"excludes {rule.option} {' '.join(rule.others)}"
    if isinstance(rule, Unavailable):
        return "unavailable " + " ".join(rule.unavailable)
    if isinstance(rule, FamilyCount):
        return f"family {rule.family} {rule.cardinality}"
    raise ValueError(f"the file format has no line for {type(rule).__name__}")


def _scoped(text: str, rule: Rule) -> str:
    scope = rule.scope
    if scope.models:
        text += " for " + " ".join(sorted(scope.models))
    if scope.valid_from or scope.valid_to:
        start = scope.valid_from.isoformat() if scope.valid_from else ""
        end = scope.valid_to.isoformat() if scope.valid_to else ""
        text += f" valid {start}..{end}"
    return text


def _quoted(name: str) -> str:
    if '"' in name:
        raise ValueError(f"the name {name!r} holds a double quote")
    return f'"{name}"'


def _amount(amount: Decimal) -> str:
    return format(amount, "f")
