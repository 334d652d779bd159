"""The committed demo fixtures are exactly what the generator script writes."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from dealer_tui.demo.synth import (
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    VEHICLE_COLUMNS,
    demo_dealership,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures"
FILES = ("customers.csv", "contacts.csv", "vehicles.csv")


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", ROOT / "bench" / "make_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", FILES)
def test_fixture_on_disk_equals_the_generated_text(
    script: ModuleType, name: str
) -> None:
    """Each committed CSV is, byte for byte, the text generated from seed 2026."""
    texts = script.fixture_texts(demo_dealership())
    on_disk = (FIXTURES / name).read_bytes().decode("utf-8")
    assert on_disk == texts[name]


def test_script_writes_the_same_files(script: ModuleType, tmp_path: Path) -> None:
    """Running the script into an empty folder writes the committed three files."""
    assert script.main(["--out", str(tmp_path)]) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes()


def test_script_reports_an_impossible_size(
    script: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for 100 vehicles among 2 customers exits with 2 and a message."""
    code = script.main(
        ["--out", str(tmp_path), "--customers", "2", "--vehicles", "100"]
    )
    assert code == 2
    assert "cannot own" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "columns", "rows"),
    [
        ("customers.csv", CUSTOMER_COLUMNS, 300),
        ("contacts.csv", CONTACT_COLUMNS, None),
        ("vehicles.csv", VEHICLE_COLUMNS, 600),
    ],
)
def test_fixture_reads_back_with_its_header(
    name: str, columns: tuple[str, ...], rows: int | None
) -> None:
    """A CSV reader finds the header and full rows: 300 customers, 600 vehicles."""
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == columns
        read = list(reader)
    assert all(None not in row and len(row) == len(columns) for row in read)
    if rows is not None:
        assert len(read) == rows


def test_quoted_names_survive_the_round_trip() -> None:
    """Names with an apostrophe or an ampersand read back exactly as generated."""
    generated = [c.name for c in demo_dealership().customers()]
    with (FIXTURES / "customers.csv").open(encoding="utf-8", newline="") as handle:
        read = [row["name"] for row in csv.DictReader(handle)]
    assert read == generated
