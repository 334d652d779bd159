"""Customers found by name or number on indexes, as the user types.

A name is found from its start on the name's index, and by a fragment
from its middle on an index of the name's three-letter pieces: SQLite's
full-text table with the trigram tokenizer, PostgreSQL's pg_trgm index
(both built by migration 0009).  Both find what LIKE '%fragment%' finds:
a phrase of trigrams in a row is the fragment itself, and PostgreSQL
checks each row its index points to with the LIKE.

A list asks each way of matching on its own.  When few accounts match,
their ids are gathered first and only those rows are read and sorted;
when many do, the list reads its own order and keeps what matches, which
soon fills a page.  On PostgreSQL a fragment whose words are all shorter
than a trigram ('Y V') leaves the trigram index little to go on: a list
page of it is first looked for by reading a stretch of the name order's
own index, and only if that stretch does not fill the page is it asked
as above.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, column, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dealer_tui.accounts.models import Account
from dealer_tui.core.paging import PageRequest
from dealer_tui.core.text import like_escape
from dealer_tui.search.pages import few_ids, few_rows, ids_at_most, page_in_order

# A fragment shorter than a trigram cannot be looked up in either index.
FRAGMENT_MIN = 3
# Up to this many accounts matching one way are gathered by id; beyond it
# they are common enough for a list to find a page in its own order.
FEW_ACCOUNTS = 2000
# PostgreSQL: a fragment of words shorter than a trigram ('Y V') has only
# the trigrams of a word's edges, which a great share of names hold, so
# its index hands over most of the table.  A list page of it is first
# looked for by reading this many names in the list's order.
SHORT_WORDS_READ = 50000

NAME_SEARCH_TABLE = "accounts_name_search"
NAME_TRIGRAM_INDEX = "ix_accounts_name_trigrams"
# PostgreSQL only, built by migration 0011: the vehicle list's VIN order
# carrying the registration and the VIN's last six.
VIN_ORDER_INDEX = "ix_vehicles_vin_order"

_name_search = table(NAME_SEARCH_TABLE, column("rowid"))


def modelled(name: str | None, kind: str, parents: dict[str, Any]) -> bool:
    """Whether a schema comparison should look at this database object.

    The name search's own objects are built by migration 0009 only: the
    models cannot describe a full-text table (nor the tables SQLite keeps
    its index in) or a PostgreSQL-only trigram index.  Nor do they describe
    the PostgreSQL-only covering index of migration 0011.
    """
    if kind == "table" and name and name.startswith(NAME_SEARCH_TABLE):
        return False
    return not (kind == "index" and name in (NAME_TRIGRAM_INDEX, VIN_ORDER_INDEX))


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def name_starts(key: str) -> ColumnElement[bool]:
    """The account's name key starts with `key` (a search key).

    The lower bound lets PostgreSQL start reading the name order at the
    typed text instead of at A; the LIKE alone decides what matches.
    """
    return and_(
        Account.name_key >= key,
        Account.name_key.like(f"{like_escape(key)}%", escape="\\"),
    )


def _name_prefix(session: Session, key: str) -> ColumnElement[bool]:
    """The name key starts with `key`, answered from the name's own index."""
    starts = Account.name_key.like(f"{like_escape(key)}%", escape="\\")
    if _is_sqlite(session):
        return starts
    # Spelled as the pattern index's own range, so that PostgreSQL does not
    # take the trigram index, which is poor at a letter or two.  A key holds
    # only letters, digits and spaces: the next character after its last
    # one bounds the range.
    following = key[:-1] + chr(ord(key[-1]) + 1)
    return and_(
        Account.name_key.op("~>=~")(key),
        Account.name_key.op("~<~")(following),
        starts,
    )


def name_holds(key: str) -> ColumnElement[bool]:
    """The account's name key holds `key` anywhere, tested row by row."""
    return Account.name_key.like(f"%{like_escape(key)}%", escape="\\")


def _fragment_ids(key: str) -> Any:
    """SQLite: the ids of the names holding `key`, from the trigram table."""
    # A quoted phrase matches its trigrams in a row, that is, the text
    # anywhere; a search key holds only letters, digits and spaces.
    phrase = '"' + key.replace('"', '""') + '"'
    return select(_name_search.c.rowid).where(
        text(f"{NAME_SEARCH_TABLE} MATCH :phrase").bindparams(phrase=phrase)
    )


def name_contains(session: Session, key: str) -> ColumnElement[bool]:
    """The account's name key holds `key` anywhere (three characters or more)."""
    if not _is_sqlite(session):
        # pg_trgm's index answers LIKE '%...%' itself.
        return name_holds(key)
    return and_(Account.id.in_(_fragment_ids(key).scalar_subquery()), name_holds(key))


def number_starts(key: str) -> ColumnElement[bool]:
    """The customer number starts with `key`, spaces left out."""
    return Account.number.like(f"{like_escape(key.replace(' ', ''))}%", escape="\\")


@dataclass(frozen=True)
class Match:
    """One way typed text matches accounts.

    `indexed` is answered from an index in no particular order; `in_order`
    is the same test written for reading the list in name order and
    skipping what does not match.
    """

    indexed: ColumnElement[bool]
    in_order: ColumnElement[bool]
    fragment: str = ""


def account_matches(session: Session, key: str, *, inside: bool = True) -> list[Match]:
    """The ways a search key matches accounts: by name, then by number.

    A key shorter than a trigram, or any key when `inside` is false, is
    the start of the name; a longer one is found anywhere in the name.
    Either may start the customer number.
    """
    if inside and len(key) >= FRAGMENT_MIN:
        by_name = name_fragment(session, key)
    else:
        by_name = Match(_name_prefix(session, key), name_starts(key))
    # The number's own index would hand the rows over in number order;
    # written as an expression, the number is only compared.
    number = like_escape(key.replace(" ", ""))
    by_number = Match(
        number_starts(key),
        Account.number.concat("").like(f"{number}%", escape="\\"),
    )
    return [by_name, by_number]


def name_fragment(session: Session, key: str) -> Match:
    """The name holds `key` (three characters or more) anywhere."""
    return Match(name_contains(session, key), name_holds(key), key)


def few_account_ids(
    session: Session, match: Match, most: int = FEW_ACCOUNTS
) -> list[int] | None:
    """The ids of the accounts matching, or None if there are more than `most`."""
    if match.fragment and _is_sqlite(session):
        # The trigram table on its own: its phrase is the fragment anywhere
        # in the name, and it stops one past `most`.
        return ids_at_most(session, _fragment_ids(match.fragment), most)
    return few_ids(session, Account.id, match.indexed, most)


def account_conditions(
    session: Session,
    key: str,
    *,
    inside: bool = True,
    request: PageRequest | None = None,
) -> list[ColumnElement[bool]]:
    """For a list of accounts in name order: one condition per way of matching.

    Few matches are gathered on their own index (search.pages.few_rows);
    many are tested while reading in order.  Given the page asked for, a
    fragment of short words may be answered for that page alone.
    """
    matches = account_matches(session, key, inside=inside)
    return in_name_order(session, matches, request)


def short_words(fragment: str) -> bool:
    """Whether every word of the fragment is shorter than a trigram."""
    return all(len(word) < FRAGMENT_MIN for word in fragment.split())


def in_name_order(
    session: Session, matches: list[Match], request: PageRequest | None = None
) -> list[ColumnElement[bool]]:
    """Each match as a condition for reading accounts in name order."""
    conditions = []
    for match in matches:
        if (
            request is not None
            and match.fragment
            and short_words(match.fragment)
            and not _is_sqlite(session)
        ):
            # Read on the name order's index, which holds the name.
            page = page_in_order(
                session,
                (Account.name_key, Account.id),
                match.in_order,
                request,
                SHORT_WORDS_READ,
            )
            if page is not None:
                conditions.append(page)
                continue
        if match.fragment and _is_sqlite(session):
            ids = few_account_ids(session, match, FEW_ACCOUNTS)
            few = None if ids is None else Account.id.in_(ids)
        else:
            few = few_rows(
                session, Account.id, Account.name_key, match.indexed, FEW_ACCOUNTS
            )
        conditions.append(match.in_order if few is None else few)
    return conditions
