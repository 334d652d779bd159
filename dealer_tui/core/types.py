"""Column types that keep money exact and instants in UTC on both databases.

PostgreSQL has an exact NUMERIC and a real timestamp with zone.  SQLite has
neither: NUMERIC there becomes a float.  So on SQLite an exact decimal is
stored as a whole number of its smallest unit (cents for money), which SQL
can still add up exactly, and an instant as a UTC ISO-8601 string, which
sorts in time order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal with a fixed number of places, never passed through a float."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 2) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(
            Numeric(self.precision, self.scale, asdecimal=True)
        )

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("exact columns refuse floats; pass a Decimal")
        amount = Decimal(value)
        if amount != amount.quantize(self._quantum):
            raise ValueError(f"{amount} has more than {self.scale} decimal places")
        if dialect.name == "sqlite":
            return int(amount.scaleb(self.scale))
        return amount.quantize(self._quantum)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):
                # An aggregate such as AVG returns a float; a SUM of whole
                # numbers never does.
                raise TypeError("an exact column came back as a float")
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    @property
    def python_type(self) -> type:
        return Decimal

    def __repr__(self) -> str:
        # Migrations are written from this: the places must be in it.
        return f"ExactDecimal({self.precision}, {self.scale})"


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: aware datetimes in, aware UTC datetimes out."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("instants must be aware datetimes")
        instant = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return instant

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            # The stored form is ISO 8601 with a Z, which fromisoformat reads
            # as UTC fifty times faster than strptime: lists read thousands.
            return datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type:
        return datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


Money = Annotated[Decimal, mapped_column(ExactDecimal(18, 2))]
Quantity = Annotated[Decimal, mapped_column(ExactDecimal(14, 3))]
Rate = Annotated[Decimal, mapped_column(ExactDecimal(9, 4))]
Instant = Annotated[datetime, mapped_column(UTCDateTime())]
Day = date
