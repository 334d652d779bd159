"""Vehicle identification numbers (ISO 3779) and their check digit.

The ninth character is a check digit that North-American makers must use
and most others need not; a VIN is rejected for a wrong check digit only
where its maker's region requires one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import mul

_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_ALLOWED = frozenset(_VALUES)
# Seventeen of the allowed characters: a VIN as `normalise` leaves it.
_NORMAL = re.compile(f"[{''.join(sorted(_ALLOWED))}]{{17}}")
# World manufacturer identifiers starting 1 to 5 are assigned to North America.
_NORTH_AMERICA = frozenset("12345")


@dataclass(frozen=True)
class VinCheck:
    vin: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def normalise(text: str) -> str:
    return "".join(text.split()).upper()


def check_digit(vin: str) -> str:
    """The check digit a 17-character VIN should carry in position nine."""
    total = sum(_VALUES[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def requires_check_digit(vin: str) -> bool:
    """Whether the maker's region makes the ninth character a check digit."""
    return vin[:1] in _NORTH_AMERICA


def validate(text: str) -> VinCheck:
    """Normalise a typed VIN and say what, if anything, is wrong with it."""
    vin = normalise(text)
    if len(vin) != 17:
        return VinCheck(vin, f"a VIN has 17 characters, this has {len(vin)}")
    bad = sorted({ch for ch in vin if ch not in _ALLOWED})
    if bad:
        if set(bad) & set("IOQ"):
            return VinCheck(vin, "a VIN never contains I, O or Q")
        return VinCheck(vin, f"a VIN cannot contain {', '.join(bad)}")
    if requires_check_digit(vin) and vin[8] != check_digit(vin):
        return VinCheck(
            vin,
            f"the check digit (9th character) should be {check_digit(vin)} "
            f"for this North-American VIN, not {vin[8]}",
        )
    return VinCheck(vin, None)


def is_valid(vin: str) -> bool:
    """Whether a VIN already in normal form (17 characters, upper case, no
    spaces) has nothing wrong with it: `validate`'s answer, found quicker."""
    if not _NORMAL.fullmatch(vin):
        return False
    if vin[0] not in _NORTH_AMERICA:
        return True
    remainder = sum(map(mul, map(_VALUES.__getitem__, vin), _WEIGHTS)) % 11
    return vin[8] == ("X" if remainder == 10 else str(remainder))
