"""The catalogue file format: the demo files, every kind of mistake, round trips."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings

from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    Compatible,
    Excludes,
    FamilyCount,
    Requires,
    Scope,
    Unavailable,
)
from dealer_tui.catalog.ruletext import format_catalogue, parse_catalogue
from dealer_tui.catalog.synthetic import synthetic_catalogue

from .support import DEMO_FILES, FIXTURES, small_catalogues

SMALL = """\
# a comment line
range T1 "Test range"
make "Test make"
currency AUD

model M1 "Model one" 100000.00
model M2 "Model two" 120000 default B2

family A "First" exactly-one
option A1 "A one" 0.00 default   # trailing comment
option A2 "A two" 1250.50

family B "Second" at-most-one
option B1 "B one" 10
option B2 "B two" 20

family C "Extras" any
option C1 "C one" 5.00 default

rule requires A2 -> B1 | B2 for M1 valid 2026-01-01..2026-06-30
rule excludes C1 B1 B2
rule unavailable B1 valid 2027-01-01..
rule family C at-most-one for M2
compat A B
  A1: B1
  A2 : B1 B2
end
"""


def parse(text: str):  # type: ignore[no-untyped-def]
    """The small file parsed under a fixed name."""
    return parse_catalogue(text, "small.txt")


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_files_parse_without_problems(name: str) -> None:
    """Each demo range has 10 to 14 families, 40 to 80 options and AUD prices."""
    parsed = parse_catalogue((FIXTURES / name).read_text(encoding="utf-8"), name)
    assert parsed.problems == ()
    catalogue = parsed.catalogue
    assert 10 <= len(catalogue.families) <= 14
    assert 40 <= len(catalogue.options) <= 80
    assert catalogue.currency == "AUD"
    assert all(isinstance(o.price, Decimal) for o in catalogue.options)


def test_small_file_reads_every_item() -> None:
    """The small file gives 2 models, 3 families, 5 options and 6 rules, each
    with its scope and the line it came from."""
    parsed = parse(SMALL)
    assert parsed.ok
    catalogue = parsed.catalogue
    assert (catalogue.range_code, catalogue.range_name) == ("T1", "Test range")
    assert catalogue.make == "Test make"
    assert [m.code for m in catalogue.models] == ["M1", "M2"]
    assert catalogue.models[1].base_price == Decimal("120000")
    assert catalogue.models[1].defaults == ("B2",)
    assert catalogue.options_by_code["A2"].price == Decimal("1250.50")
    assert catalogue.options_by_code["A1"].default
    assert catalogue.families_by_code["B"].cardinality is Cardinality.AT_MOST_ONE
    requires, excludes, unavailable, count, row1, row2 = catalogue.rules
    assert requires == Requires(
        "A2",
        ("B1", "B2"),
        scope=Scope(frozenset({"M1"}), date(2026, 1, 1), date(2026, 6, 30)),
        source=requires.source,
    )
    assert requires.source is not None and requires.source.line == 20
    assert excludes == Excludes("C1", ("B1", "B2"), source=excludes.source)
    assert unavailable.scope == Scope(valid_from=date(2027, 1, 1))
    assert isinstance(unavailable, Unavailable)
    assert count == FamilyCount(
        "C",
        Cardinality.AT_MOST_ONE,
        scope=Scope(frozenset({"M2"})),
        source=count.source,
    )
    assert isinstance(row1, Compatible) and row1.partners == ("B1",)
    assert isinstance(row2, Compatible) and row2.partners == ("B1", "B2")


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ('option A3 "A three" 12,50', "price", "not an amount"),
        ('option A3 "A three" 1.005', "price", "not an amount"),
        ("option A3 A-three 10", "option name", "double quotes"),
        ('option a3 "A three" 10', "option code", "not a code"),
        ('option A1 "Again" 10', "option code", "declared twice"),
        ('option A3 "A three" 10 cheap', "default", "only 'default'"),
        ("rule requires A1 B1", "rule", "requires A -> B"),
        ("rule requires A1 -> B1 |", "rule", "ends with '|'"),
        ("rule requires A1 -> B1 B2", "rule", "separate"),
        ("rule excludes A1", "rule", "excludes needs"),
        ("rule forbids A1", "rule", "not one of requires"),
        ("rule unavailable ZZ9", "option code", "no option ZZ9"),
        ("rule excludes A1 B1 for M9", "for", "no model M9"),
        (
            "rule excludes A1 B1 valid 2026-13-01..",
            "valid",
            "not a date in the calendar",
        ),
        ("rule excludes A1 B1 valid 2026-07-01..2026-01-01", "valid", "ends"),
        ("rule excludes A1 B1 valid 2026", "valid", "FROM..TO"),
        ("rule excludes A1 B1 for", "for", "at least one model"),
        ("rule family Q exactly-one", "family code", "no family Q"),
        ("rule family C sometimes", "cardinality", "not one of"),
        ("rule requires A1 -> A1", "rule", "cannot name itself"),
        ('range T2 "Again"', "range", "given twice"),
        ("currency dollars", "currency", "not a code such as AUD"),
        ('model M3 "Model three" 5 default ZZ1', "default", "no option ZZ1"),
        ("truck A1", "line", "not one of range"),
        ('option A3 "A three 10', "quotes", "closing quote"),
    ],
)
def test_each_mistake_names_its_line_and_field(
    line: str, field: str, words: str
) -> None:
    """A bad line appended to the small file yields one problem naming line 28,
    the field and what is wrong, and every other line is still read."""
    text = SMALL + line + "\n"
    parsed = parse(text)
    assert len(parsed.problems) == 1, parsed.problems
    problem = parsed.problems[0]
    assert (problem.file, problem.line, problem.field) == ("small.txt", 28, field)
    assert words in problem.message
    assert len(parsed.catalogue.options) >= 5
    assert "small.txt line 28" in str(problem)


def test_problems_are_all_reported_not_only_the_first() -> None:
    """Four bad lines give four problems, in line order, and the good line
    among them is kept."""
    text = SMALL + 'option A3 "x" abc\nrule excludes A1 ZZ\noption A4 "A four" 7\n'
    text += 'family D "Empty" any\nmodel M1 "Again" 1\n'
    parsed = parse(text)
    assert [(p.line, p.field) for p in parsed.problems] == [
        (28, "price"),
        (29, "option code"),
        (31, "family"),
        (32, "model code"),
    ]
    assert "A4" in parsed.catalogue.options_by_code


def test_compat_row_must_use_the_table_families() -> None:
    """A row whose option is not in the first family, or whose partner is not
    in the second, is refused with the family it belongs to."""
    text = SMALL + "compat A B\n  B1: A1\n  A1: C1\nend\n"
    parsed = parse(text)
    messages = [(p.line, p.field, p.message) for p in parsed.problems]
    assert messages == [
        (29, "row option", "B1 is in family B, not A"),
        (29, "partner option", "A1 is in family A, not B"),
        (30, "partner option", "C1 is in family C, not B"),
    ]


def test_unclosed_table_and_empty_table() -> None:
    """A table with no 'end' is reported at its first line; an empty one at
    its 'end'."""
    assert [(p.line, p.field) for p in parse(SMALL + "compat A B\n").problems] == [
        (28, "compat")
    ]
    assert [(p.line, p.field) for p in parse(SMALL + "compat A B\nend\n").problems] == [
        (29, "compat")
    ]


def test_missing_header_and_models_are_reported() -> None:
    """A file with only a family names each missing header line and the
    missing models, and still returns the family."""
    parsed = parse('family A "First" any\noption A1 "One" 1\n')
    fields = sorted(p.field for p in parsed.problems)
    assert fields == ["currency", "make", "model", "range"]
    assert parsed.catalogue.families[0].options == ("A1",)


def test_two_defaults_in_a_one_option_family() -> None:
    """A one-option family with defaults A1 and A2 is a problem on its line."""
    text = SMALL.replace(
        'option A2 "A two" 1250.50', 'option A2 "A two" 1250.50 default'
    )
    parsed = parse(text)
    assert [(p.line, p.field) for p in parsed.problems] == [(9, "default")]


def _without_sources(catalogue: Catalogue) -> Catalogue:
    return dataclasses.replace(
        catalogue,
        models=tuple(dataclasses.replace(m, source=None) for m in catalogue.models),
        families=tuple(dataclasses.replace(f, source=None) for f in catalogue.families),
        options=tuple(dataclasses.replace(o, source=None) for o in catalogue.options),
        rules=tuple(dataclasses.replace(r, source=None) for r in catalogue.rules),
    )


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_files_round_trip(name: str) -> None:
    """Writing a parsed demo file and reading it back gives the same catalogue."""
    original = parse_catalogue((FIXTURES / name).read_text(encoding="utf-8"), name)
    again = parse_catalogue(format_catalogue(original.catalogue), name)
    assert again.problems == ()
    assert _without_sources(again.catalogue) == _without_sources(original.catalogue)


@settings(max_examples=60, deadline=None)
@given(small_catalogues())
def test_random_catalogues_round_trip(catalogue: Catalogue) -> None:
    """Any catalogue written out and read back is unchanged, with no problem."""
    text = format_catalogue(catalogue)
    again = parse_catalogue(text, "t")
    assert again.problems == (), text
    assert _without_sources(again.catalogue) == _without_sources(catalogue)


def test_synthetic_catalogue_round_trips() -> None:
    """A generated catalogue of 300 options and 400 rules survives the file."""
    catalogue = synthetic_catalogue(3, option_count=300, rule_count=400)
    again = parse_catalogue(format_catalogue(catalogue), "synthetic")
    assert again.problems == ()
    assert _without_sources(again.catalogue) == _without_sources(catalogue)
