"""One search box: name, pinyin initials or full pinyin, phone tail, serial number or plate.

Each module registers a provider; providers match on indexed key columns by prefix, so a search
costs the same at 200 customers or 200,000.
"""
import re
from collections import namedtuple
from functools import partial

from models.base import literal
from models.keys import filled

Hit = namedtuple("Hit", "kind label detail endpoint id")

# The search page's sections, top to bottom: the same order whichever module is imported first.
SECTIONS = ("customer", "complaint", "visit", "work_order", "vip")
PROVIDERS = {}  # a section's kind -> its provider
KINDS = {}  # a hit's kind -> its heading on the search page

CJK = re.compile(r"[\u3400-\u9fff]")


def register(provider, kind, label):
    """Add a provider: provider(query: Query, limit) -> list[Hit] of `kind`, headed `label`;
    `kind` is one of SECTIONS, which places it on the page."""
    if kind not in SECTIONS:
        raise ValueError(f"search kind {kind!r} is not in SECTIONS")
    PROVIDERS[kind] = provider
    KINDS[kind] = label
    return provider


def _is(field, value):
    return (field == value) & filled(field)


def _within(field, low, high):
    return (field >= low) & (field < high) & filled(field)


def starts(field, text):
    """A search key: `field` starts with `text`. Read along (field, id DESC), a value equal to
    `text` sorts before every longer one, so the closest match comes first, newest first."""
    return field, [(_within, (text, text + "\uffff"))]


def equals(field, value):
    """A search key: `field` is `value`."""
    return field, [(_is, (value,))]


_QUERIES = {}


def _keyed(base, field, condition, limit, *values):
    query = base()
    return (query.where(condition(field, *values))
            .order_by(field, query.model.id.desc()).limit(literal(limit)))


def matching(base, keys, limit, hit):
    """The rows of `base()` that match any key, at most `limit`, each made a Hit by `hit`: a
    Matches, read when first used or with the other providers' (read_matches).

    Each key is read along its own index (the closest match first, then the newest) and stops
    at `limit`, so a one-letter search in a million visitors reads a few dozen index entries,
    not every match. `base` is a module-level function giving the select (columns, joins,
    filters written as literals): each (base, key, condition, limit) is written as SQL once, then
    only bound, since a search runs up to twenty of these small queries and writing them was
    most of its time."""
    from models.base import Prepared
    reads = []
    for field, conditions in keys:
        for condition, values in conditions:
            key = (base, field.model, field.name, condition, limit)
            found = _QUERIES.get(key)
            if found is None:
                found = _QUERIES[key] = (Prepared(partial(_keyed, base, field, condition, limit)),
                                         base().model)
            reads.append((*found, values))
    return Matches(reads, limit, hit)


class Matches:
    """A provider's hits, as a list that is read when first used: all its queries at once on
    PostgreSQL (read_matches), or on SQLite in turn, stopping once `limit` rows are found."""

    def __init__(self, reads, limit, hit):
        self.reads, self.limit, self.hit = reads, limit, hit
        self.hits = None

    def queries(self):
        return [prepared.query(model, *params) for prepared, model, params in self.reads]

    def fill(self, results):
        """Keeps the first `limit` distinct rows of `results` (each query's rows, in order)."""
        rows, seen = [], set()
        for found in results:
            for row in found:
                if row.id not in seen:
                    seen.add(row.id)
                    rows.append(row)
            if len(rows) >= self.limit:
                break
        self.hits = [self.hit(row) for row in rows[:self.limit]]

    def _read(self):
        read_matches([self])
        if self.hits is None:
            self.fill(list(query) for query in self.queries())  # a generator: stops early
        return self.hits

    def __iter__(self):
        return iter(self._read())

    def __len__(self):
        return len(self._read())

    def __getitem__(self, index):
        return self._read()[index]


def read_matches(found):
    """Reads every Matches in `found` not yet read. On PostgreSQL all their queries go together
    (one round trip: a search runs up to twenty); on SQLite a query is no round trip, and each
    Matches reads in turn when used, stopping at its limit."""
    from models.base import is_postgres, read_together
    pending = [item for item in found if isinstance(item, Matches) and item.hits is None]
    if not pending or not is_postgres():
        return
    results = iter(read_together(*[query for item in pending for query in item.queries()]))
    for item in pending:
        item.fill([next(results) for _read in item.reads])


class Query:
    """A search string classified once, for every provider to use."""

    def __init__(self, raw):
        self.raw = (raw or "").strip()[:80]
        compact = self.raw.replace(" ", "")
        self.digits = compact if compact.isdigit() else ""
        self.latin = compact.lower() if re.fullmatch(r"[A-Za-z]+", compact) else ""
        self.has_cjk = bool(CJK.search(compact))
        self.upper = compact.upper()

    def __bool__(self):
        return bool(self.raw)


def search(raw, limit=8):
    """Hits from every provider for the search string, at most `limit` per provider."""
    query = Query(raw)
    if not query:
        return []
    found = [PROVIDERS[kind](query, limit) for kind in SECTIONS if kind in PROVIDERS]
    read_matches(found)
    return [hit for hits in found for hit in hits]
