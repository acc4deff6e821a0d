"""Column types that make both dialects hand back the same Python values.

SQLite has no time zones; neither dialect has unsigned 64-bit integers.
These decorators keep those gaps out of the rest of the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Fingerprints are 64 bits: -2**63 … 2**63-1 (signed) or up to 2**64-1 (unsigned) are accepted.
UINT64_LIMIT = 1 << 64
_INT64_LIMIT = 1 << 63


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect.

    PostgreSQL stores ``timestamptz``; SQLite stores naive text, so we convert to UTC before
    writing and re-attach UTC when reading.  Naive datetimes are refused rather than guessed at:
    they are a bug upstream (the model says datetimes are aware).  Because every value is written
    in UTC with the same fixed-width text format, SQLite's string comparison orders them correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; the store needs timezone-aware datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Bits64(TypeDecorator[int]):
    """64 bits (a text fingerprint) in a BIGINT, given in signed or unsigned form, read back signed.

    ``bot.detect.fingerprint`` already returns the signed form; an unsigned 64-bit value (e.g. a
    SimHash) is stored as its two's-complement twin, which has the same bits, so Hamming distances
    are unchanged.  Anything that needs more than 64 bits is refused rather than truncated.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"expected an int fingerprint, got {type(value).__name__}: {value!r}")
        if not -_INT64_LIMIT <= value < UINT64_LIMIT:
            raise ValueError(f"fingerprint {value} does not fit in 64 bits (-2**63 … 2**64-1)")
        return value - UINT64_LIMIT if value >= _INT64_LIMIT else value

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)
