"""Human-readable serial numbers: PREFIX-YYYYMM-NNNN per kind and month, VIP + 8 digits.

The counter row is bumped with one atomic upsert inside the caller's transaction, so the number
and the record that carries it commit or roll back together: no gaps, no duplicates, on SQLite
(writers serialised by BEGIN IMMEDIATE) and PostgreSQL (the row lock is held until commit).
"""
import datetime

from models import SerialCounter, db, now

MONTHLY = {"KS", "WX", "FK", "TH"}
GLOBAL_WIDTH = {"VIP": 8}


def _run(query):
    cursor = query.execute()
    row = next(iter(cursor))
    return row.last


def next_serial(kind, when=None):
    """Issue the next serial of `kind` ('KS', 'WX', 'FK', 'TH' or 'VIP'); call inside db.atomic()."""
    if kind in GLOBAL_WIDTH:
        with db.atomic():
            number = _run(_upsert(kind, ""))
        return f"{kind}{number:0{GLOBAL_WIDTH[kind]}d}"
    if kind not in MONTHLY:
        raise ValueError(f"unknown serial kind {kind!r}")
    when = when or datetime.datetime.now()
    period = when.strftime("%Y%m")
    with db.atomic():
        number = _run(_upsert(kind, period))
    if number > 9999:
        # More than 9,999 in a month widens the number rather than failing or wrapping.
        return f"{kind}-{period}-{number}"
    return f"{kind}-{period}-{number:04d}"


def _upsert(kind, period):
    stamp = now()
    return (SerialCounter
            .insert(kind=kind, period=period, last=1, created_at=stamp, updated_at=stamp)
            .on_conflict(conflict_target=[SerialCounter.kind, SerialCounter.period],
                         update={SerialCounter.last: SerialCounter.last + 1,
                                 SerialCounter.updated_at: stamp})
            .returning(SerialCounter.last))
