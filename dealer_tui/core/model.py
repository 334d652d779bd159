"""The declarative base and the columns every editable record carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from dealer_tui.core.types import ExactDecimal, UTCDateTime, utc_now

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class Versioned:
    """An editable record: a version counter and who saved it last.

    The version lets a save be refused when someone else saved the record
    since the form was opened, instead of silently overwriting their work.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utc_now, onupdate=utc_now
    )

    # A plain reference, not a foreign key: users are deactivated, never
    # deleted, and a key here would tie every table to the users table.
    updated_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def money_column(**kwargs: Any) -> Mapped[Any]:
    return mapped_column(ExactDecimal(18, 2), **kwargs)
