"""Duplicate detection: matching keys for names, ABNs, phones and e-mails.

The same company reaches the dealer many ways: typed by a sales rep as
"Smith & Sons Pty Ltd", imported from a list as "SMITH AND SONS P/L", and
already on the books as an account. Each identifier is reduced to a key
that two spellings of the same thing share, and a new lead is compared
with existing leads and accounts on those keys. The database keeps the
same keys in indexed columns, so these functions are the only definition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from stdnum.au import abn as stdnum_abn

ABN_LENGTH = 11
# Shorter digit strings are fragments (an extension, a typo) and would
# match far too much.
PHONE_KEY_MIN_LENGTH = 6

_APOSTROPHES = re.compile(r"['’‘`]")
_AMPERSANDS = re.compile(r"[&+]")
_NOT_LETTER_OR_DIGIT = re.compile(r"[^0-9A-Z]+")
_NOT_DIGIT = re.compile(r"\D+")
_EXTENSION = re.compile(r"(?i)\s*(?:ext|extn|x)\.?\s*\d{1,5}\s*$")

# Legal forms that say nothing about which company it is. They are taken
# off the end only, longest first, and more than one may be stacked up
# ("Smith Transport Co Pty Ltd").
_LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            ("PROPRIETARY", "LIMITED"),
            ("PROPRIETARY", "LTD"),
            ("PTY", "LIMITED"),
            ("PTY", "LTD"),
            ("PTYLTD",),
            ("PTY",),
            ("PL",),
            ("LIMITED",),
            ("LTD",),
            ("NL",),
            ("INCORPORATED",),
            ("INC",),
            ("CORPORATION",),
            ("CORP",),
            ("COMPANY",),
            ("CO",),
            ("LLC",),
            ("PLC",),
        ),
        key=len,
        reverse=True,
    )
)


def normalise_company_name(name: str) -> str:
    """The key two spellings of one company name share.

    Upper case without accents or punctuation; '&' and 'and' dropped;
    initials joined ('J.B.' and 'JB' both give 'JB'); a leading 'The' and
    trailing legal forms (Pty Ltd, Limited, P/L, Inc, Co and the like)
    dropped; single spaces. 'The Smith & Sons Transport Co. Pty. Ltd.'
    gives 'SMITH SONS TRANSPORT'. A name that is nothing but a legal form
    keeps it, so that the key is never empty for a non-empty name.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.casefold().upper())
    text = _AMPERSANDS.sub(" ", text)
    words = [w for w in _NOT_LETTER_OR_DIGIT.sub(" ", text).split() if w != "AND"]
    words = _join_initials(words)
    if len(words) > 1 and words[0] == "THE":
        words = words[1:]
    return " ".join(_strip_legal_suffixes(words))


def _join_initials(words: list[str]) -> list[str]:
    """Runs of one-character words become one word: J B HUNT -> JB HUNT."""
    joined: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        joined.append(word)
    if run:
        joined.append(run)
    return joined


def _strip_legal_suffixes(words: list[str]) -> list[str]:
    """Legal forms off the end, or the words unchanged if nothing else is left."""
    kept = list(words)
    stripped = True
    while stripped and kept:
        stripped = False
        for suffix in _LEGAL_SUFFIXES:
            if tuple(kept[-len(suffix) :]) == suffix:
                kept = kept[: -len(suffix)]
                stripped = True
                break
    return kept or words


def abn_digits(text: str) -> str:
    """Only the digits of a typed ABN, whatever spacing or dashes it had."""
    return _NOT_DIGIT.sub("", text)


def normalise_abn(text: str) -> str:
    """The ABN as its 11 digits when it is valid, otherwise an empty key.

    '51 824 753 556' gives '51824753556'. An ABN with a wrong check sum
    gives '' so that a typo never matches another company.
    """
    digits = abn_digits(text)
    if len(digits) != ABN_LENGTH or not stdnum_abn.is_valid(digits):
        return ""
    return digits


def abn_problem(text: str) -> str | None:
    """Why a typed ABN is not valid, or None when it is valid or left blank."""
    if not text.strip():
        return None
    digits = abn_digits(text)
    if len(digits) != ABN_LENGTH:
        return f"an ABN has {ABN_LENGTH} digits, this has {len(digits)}"
    if not stdnum_abn.is_valid(digits):
        return "is not a valid ABN: its check sum does not add up"
    return None


def format_abn(text: str) -> str:
    """A valid ABN in its usual groups, '51 824 753 556'; otherwise as typed."""
    digits = normalise_abn(text)
    return stdnum_abn.format(digits) if digits else text.strip()


def normalise_phone(text: str) -> str:
    """An Australian phone number as the digits dialled from within Australia.

    '+61 2 9876 5432', '(02) 9876-5432' and '61 298 765 432' all give
    '0298765432'; '+61 (0)412 345 678' gives '0412345678'. A trailing
    extension ('x 21', 'ext. 21') is dropped. Numbers of other countries
    keep their country code, without the international prefix.
    """
    text = _EXTENSION.sub("", text).strip()
    international = text.startswith("+")
    digits = _NOT_DIGIT.sub("", text)
    for prefix in ("0011", "00"):
        # 0011 is the prefix dialled from Australia, 00 from most elsewhere;
        # no domestic number starts with either.
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            international = True
            break
    # A national number has 9 digits after its 0, so 61 plus 9 (or plus a
    # bracketed 0 and 9) is a country code, even when the + was left off.
    looks_international = len(digits) in (11, 12)
    if digits.startswith("61") and (international or looks_international):
        national = digits[2:]
        if national.startswith("0"):
            national = national[1:]
        digits = "0" + national
    return digits


def normalise_email(text: str) -> str:
    """An e-mail address trimmed and in lower case."""
    return text.strip().lower()


def email_problem(text: str) -> str | None:
    """Why a typed e-mail address cannot be right, or None; blank is fine."""
    address = text.strip()
    if not address:
        return None
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain.strip("."):
        return "an e-mail address looks like name@example.com.au"
    if any(ch.isspace() for ch in address):
        return "an e-mail address has no spaces"
    return None


class RecordKind(StrEnum):
    """Which kind of record a party is kept as."""

    LEAD = "lead"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Party:
    """A lead or an account as plain data: its name and how to reach it.

    The phones and e-mails are the company's and its contacts' together.
    record_id is None for a lead not yet saved.
    """

    name: str
    abn: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    kind: RecordKind = RecordKind.LEAD
    record_id: int | None = None


@dataclass(frozen=True)
class MatchKeys:
    """The normalised keys of one party; an empty key never matches."""

    name: str
    abn: str
    phones: frozenset[str]
    emails: frozenset[str]


def match_keys(party: Party) -> MatchKeys:
    """The keys under which a party is stored and compared."""
    phones = {normalise_phone(p) for p in party.phones}
    emails = {normalise_email(e) for e in party.emails}
    return MatchKeys(
        name=normalise_company_name(party.name),
        abn=normalise_abn(party.abn),
        phones=frozenset(p for p in phones if len(p) >= PHONE_KEY_MIN_LENGTH),
        emails=frozenset(e for e in emails if "@" in e),
    )


class MatchBasis(StrEnum):
    """What two records share, strongest evidence first."""

    SAME_ABN = "same ABN"
    SAME_EMAIL = "same e-mail"
    SAME_PHONE = "same phone"
    SAME_NAME = "same name"


_BASIS_RANK = {basis: rank for rank, basis in enumerate(MatchBasis)}
_KIND_RANK = {RecordKind.ACCOUNT: 0, RecordKind.LEAD: 1}


@dataclass(frozen=True)
class MatchReason:
    """One shared key, e.g. the same ABN 51824753556."""

    basis: MatchBasis
    key: str

    @property
    def sentence(self) -> str:
        """The reason in words, e.g. 'same ABN 51 824 753 556'."""
        shown = format_abn(self.key) if self.basis is MatchBasis.SAME_ABN else self.key
        return f"{self.basis.value} {shown}"


@dataclass(frozen=True)
class Match:
    """An existing record that may be the same company, with every reason."""

    record: Party
    reasons: tuple[MatchReason, ...]

    @property
    def strongest(self) -> MatchBasis:
        """The most telling reason, which sorts the list of matches."""
        return self.reasons[0].basis

    @property
    def sentence(self) -> str:
        """E.g. 'Account 12 Smith & Sons Pty Ltd: same ABN 51 824 753 556.'."""
        kind = self.record.kind.value.capitalize()
        number = "" if self.record.record_id is None else f" {self.record.record_id}"
        reasons = ", ".join(r.sentence for r in self.reasons)
        return f"{kind}{number} {self.record.name}: {reasons}."


def find_matches(candidate: Party, existing: Iterable[Party]) -> list[Match]:
    """Existing leads and accounts that may be the candidate's company.

    Each match lists every key it shares with the candidate. Matches come
    strongest first (ABN, then e-mail, phone, name), then by how many keys
    they share, accounts before leads, then by record number. The
    candidate's own saved record is never reported as its duplicate.
    """
    wanted = match_keys(candidate)
    matches = []
    for record in existing:
        if _is_same_record(candidate, record):
            continue
        reasons = _shared_keys(wanted, match_keys(record))
        if reasons:
            matches.append(Match(record, reasons))
    matches.sort(key=_match_order)
    return matches


def _is_same_record(candidate: Party, record: Party) -> bool:
    return (
        candidate.record_id is not None
        and candidate.kind is record.kind
        and candidate.record_id == record.record_id
    )


def _shared_keys(wanted: MatchKeys, found: MatchKeys) -> tuple[MatchReason, ...]:
    reasons: list[MatchReason] = []
    if wanted.abn and wanted.abn == found.abn:
        reasons.append(MatchReason(MatchBasis.SAME_ABN, wanted.abn))
    for email in sorted(wanted.emails & found.emails):
        reasons.append(MatchReason(MatchBasis.SAME_EMAIL, email))
    for phone in sorted(wanted.phones & found.phones):
        reasons.append(MatchReason(MatchBasis.SAME_PHONE, phone))
    if wanted.name and wanted.name == found.name:
        reasons.append(MatchReason(MatchBasis.SAME_NAME, wanted.name))
    return tuple(reasons)


def _match_order(match: Match) -> tuple[int, int, int, int, str]:
    return (
        _BASIS_RANK[match.strongest],
        -len(match.reasons),
        _KIND_RANK[match.record.kind],
        match.record.record_id or 0,
        match.record.name,
    )
