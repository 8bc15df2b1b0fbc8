"""Human-readable serial numbers: PREFIX-YYYYMM-NNNN per kind and month, VIP + 8 digits.

The counter row is bumped with one atomic upsert inside the caller's transaction, so the number
and the record that carries it commit or roll back together: no gaps, no duplicates, on SQLite
(writers serialised by BEGIN IMMEDIATE) and PostgreSQL (the row lock is held until commit).
"""

from models import SerialCounter, clock, now
from models.base import Prepared

MONTHLY = {"KS", "WX", "FK", "TH", "TC", "CT", "ZR"}
GLOBAL_WIDTH = {"VIP": 8}


def next_serial(kind, when=None):
    """Issue the next serial of `kind` ('KS', 'WX', 'FK', 'TH', 'TC', 'CT', 'ZR' or 'VIP'); call
    inside the db.atomic() that saves the record. The bump is one statement, atomic by itself,
    so it opens no savepoint of its own (two more round trips for every new record)."""
    if kind in GLOBAL_WIDTH:
        return f"{kind}{_bump(kind, ''):0{GLOBAL_WIDTH[kind]}d}"
    if kind not in MONTHLY:
        raise ValueError(f"unknown serial kind {kind!r}")
    when = when or clock.now()
    period = when.strftime("%Y%m")
    number = _bump(kind, period)
    if number > 9999:
        # More than 9,999 in a month widens the number rather than failing or wrapping.
        return f"{kind}-{period}-{number}"
    return f"{kind}-{period}-{number:04d}"


# Every new visitor, complaint, work order and card takes a number: the upsert's SQL is written
# once (Prepared) and then bound to (created, updated, kind, period, 1, 1, updated).
_UPSERT = Prepared(lambda created, updated, kind, period, first, step, stamp: (
    SerialCounter
    .insert(kind=kind, period=period, last=first, created_at=created, updated_at=updated)
    .on_conflict(conflict_target=[SerialCounter.kind, SerialCounter.period],
                 update={SerialCounter.last: SerialCounter.last + step,
                         SerialCounter.updated_at: stamp})
    .returning(SerialCounter.last)))


def _bump(kind, period):
    """The counter of (kind, period) after adding one (1 for a new one)."""
    stamp = now()
    return _UPSERT.scalar(stamp, stamp, kind, period, 1, 1, stamp)
