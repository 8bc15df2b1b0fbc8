"""The database proxy, the base model and the void/restore mixin shared by every domain."""
import datetime
import fcntl
import os
import threading
import time

from peewee import (
    OP,
    SQL,
    BooleanField,
    CharField,
    DatabaseProxy,
    Expression,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
)
from peewee import DateField as PeeweeDateField
from peewee import DateTimeField as PeeweeDateTimeField
from playhouse import db_url

from . import clock
from .keys import filled, phone_tail, pinyin_keys

db = DatabaseProxy()


class _ReadsIsoText:
    """Reads SQLite's text with the type's fromisoformat (C) before trying peewee's strptime
    formats one exception at a time: a list reads hundreds of these."""

    def python_value(self, value):
        if isinstance(value, str):
            try:
                return self.from_iso(value)
            except ValueError:
                pass
        return super().python_value(value)


class DateTimeField(_ReadsIsoText, PeeweeDateTimeField):
    """A moment: stored in UTC, read and written as the site's wall-clock time (models.clock),
    so the stored value is unambiguous whatever the server's or the site's zone."""

    from_iso = staticmethod(datetime.datetime.fromisoformat)

    def db_value(self, value):
        if isinstance(value, datetime.datetime):
            value = clock.to_utc(value)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        return clock.to_site(value) if isinstance(value, datetime.datetime) else value


class DateField(_ReadsIsoText, PeeweeDateField):
    from_iso = staticmethod(datetime.date.fromisoformat)


now = clock.now


class QueuedWriterSqlite(SqliteDatabase):
    """SQLite whose write transactions queue for the write lock instead of polling for it.

    SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in its busy
    handler for 1, 2, 5 … up to 100 ms between tries, so under a few concurrent writers most of
    the time went to sleeping while the lock stood free. Here a
    transaction first takes this process's lock (threads wake the moment it is released) and
    then an flock on a file beside the database (one waiting thread per process), and only
    then BEGIN IMMEDIATE, which finds the lock free. Statements outside a transaction, and any
    other program, still meet SQLite's own lock and busy timeout, which stay the authority.

    With `sync_after_commit`, a write is synced to the disk after its commit and before it is
    answered, as with SQLite's synchronous=FULL, but after the write lock is released: the next
    writer need not wait for this one's disk flush (group commit). The database runs with
    synchronous=NORMAL, which keeps the file consistent at any moment; syncing the WAL file
    makes every commit written to it so far durable, this one included (RELIABILITY.md)."""

    WAIT_SECONDS = 15  # as the busy timeout: after that, BEGIN meets SQLite's lock and its error

    def __init__(self, database, *args, sync_after_commit=False, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._writers = threading.Lock()
        self._holder = threading.local()
        on_disk = database != ":memory:"
        self._lock_path = f"{database}.writer-lock" if on_disk else None
        # SQLite's documented name for the write-ahead log: the database's name and "-wal"
        self._wal_path = f"{database}-wal" if on_disk and sync_after_commit else None

    def begin(self, lock_type=None):
        self._take()
        try:
            super().begin(lock_type)
            self._holder.changes = self._changes()
        except Exception:
            self._give()
            raise

    def commit(self):
        try:
            super().commit()
        finally:
            self._give()
        if self._changes() != getattr(self._holder, "changes", None):
            self.sync_to_disk()

    def execute_sql(self, sql, params=None):
        """A statement outside a transaction commits by itself: a write is synced as a
        transaction's commit is."""
        if self._wal_path is None or self.in_transaction():
            return super().execute_sql(sql, params)
        before = self._changes()
        cursor = super().execute_sql(sql, params)
        if self._changes() != before:
            self.sync_to_disk()
        return cursor

    def _changes(self):
        """Rows written by this thread's connection since it opened (sqlite3's total_changes)."""
        return self.connection().total_changes if self._wal_path is not None else 0

    def sync_to_disk(self):
        """Flush the WAL file to the disk: every commit written to it so far becomes durable.
        With no WAL file, the last checkpoint has synced the database file already."""
        if self._wal_path is None:
            return
        try:
            descriptor = os.open(self._wal_path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._give()

    def _take(self):
        if getattr(self._holder, "held", False):
            return
        deadline = time.monotonic() + self.WAIT_SECONDS
        if not self._writers.acquire(timeout=self.WAIT_SECONDS):
            return  # let SQLite decide
        self._holder.held = True
        if self._lock_path is None:
            return
        lock_file = open(self._lock_path, "a")  # closing it releases the flock
        delay = 0.0001
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._holder.lock_file = lock_file
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    lock_file.close()
                    return
                time.sleep(delay)
                delay = min(delay * 2, 0.001)

    def _give(self):
        if not getattr(self._holder, "held", False):
            return
        lock_file, self._holder.lock_file = getattr(self._holder, "lock_file", None), None
        if lock_file is not None:
            lock_file.close()
        self._holder.held = False
        self._writers.release()


SYNCHRONOUS = ("full", "normal")


def open_database(url, synchronous="full"):
    """Build a Peewee database from a URL; SQLite gets WAL, foreign keys and a busy timeout.

    `synchronous`: "full" (the default) syncs the WAL at every commit, so an answered write
    survives a power cut; "normal" syncs only at checkpoints, faster, and an answered write
    survives a process crash but maybe not a power cut (RELIABILITY.md has both figures).

    Each serving thread keeps its connection from one request to the next (see app.py), so
    SQLite's parsed schema and page cache, and PostgreSQL's session, outlive the request."""
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS}")
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a writer takes the lock up front and waits (busy timeout) instead of
        # failing half-way when two transactions try to upgrade a read lock at once.
        options = db_url.parse(url)
        # "full": NORMAL for SQLite, and the WAL synced after each commit, outside the lock.
        options.update(pragmas={"journal_mode": "wal", "foreign_keys": 1,
                                "busy_timeout": 15000, "synchronous": "normal"},
                       timeout=15, lock_type="IMMEDIATE", check_same_thread=False,
                       sync_after_commit=synchronous == "full")
        return QueuedWriterSqlite(options.pop("database"), **options)
    # psycopg 3 prepares a statement on the server once a connection has run it five times, so
    # the planner no longer runs for every one of a page's small queries.
    return db_url.connect(url, prefer_psycopg3=True)


def in_literal(field, values):
    """`field IN ('a', 'b')` with the values written into the SQL, not bound as parameters.

    For the fixed lists of open states only: a partial index (`WHERE state IN (...)`) is used
    by SQLite only when the query states the same constants; with `?` parameters it cannot tell.
    """
    assert all(v.replace("_", "").isalnum() and v.isascii() for v in values), values
    return field.in_(SQL("(" + ", ".join(f"'{v}'" for v in values) + ")"))


def literal(number):
    """A whole number written into the SQL, not bound as a parameter: every LIMIT is one.

    PostgreSQL keeps one plan of a prepared statement for all values only when that plan looks
    no costlier than one made for the values. With a bound LIMIT it assumes a tenth of the rows
    will be read, so every list, search and panel was planned again on every request."""
    return SQL(str(int(number)))


def moment_literal(field, moment):
    """A moment written into the SQL as `field` stores it, not bound as a parameter (see
    literal): a day's bounds, which PostgreSQL would otherwise plan again on every request."""
    stored = field.db_value(moment)
    if not isinstance(stored, datetime.datetime):  # (only a datetime's text is safe to write)
        raise TypeError(f"not a moment: {moment!r}")
    return SQL(f"'{stored.isoformat(' ')}'")


class Prepared:
    """A query turned into SQL once per kind of database, then run with new parameters.

    Peewee writes the SQL from the query's tree on every execution; for the small queries every
    page makes (the signed-in user, the unread count) that cost more than the database running
    them. `build(*params)` must make a query whose bound parameters are exactly `params`, in
    order, or those params as DateTimeField stores them (in UTC): that is checked when it is
    first built, and a query of any other shape is simply built every time."""

    def __init__(self, build):
        self.build = build
        self.compiled = {}

    def statement(self, params):
        """(SQL, parameters): the SQL written once for these parameters, or else built anew."""
        kind = type(db.obj)
        known = self.compiled.get(kind)
        if known is None:
            sql, bound = self.build(*params).sql()
            ways = _conversions(params, bound)
            self.compiled[kind] = (sql, ways) if ways is not None else False
            return sql, bound
        if known is False:
            return self.build(*params).sql()
        sql, ways = known
        return sql, [way(value) for way, value in zip(ways, params)]

    def first(self, model, *params):
        """The first row as a `model` instance, or None."""
        return next(iter(self.query(model, *params)), None)

    def query(self, model, *params):
        """The query for these parameters, not yet run (for read_together)."""
        sql, bound = self.statement(params)
        return model.raw(sql, *bound)

    def rows(self, model, *params):
        """Every row as a `model` instance."""
        return list(self.query(model, *params))

    def tuples(self, *params):
        """Every row as a tuple."""
        sql, bound = self.statement(params)
        return db.execute_sql(sql, bound).fetchall()

    def execute(self, *params):
        """Run it (an UPDATE, say); the number of rows it changed."""
        sql, bound = self.statement(params)
        return db.execute_sql(sql, bound).rowcount

    def row(self, *params):
        """The first row as a tuple (None when there is none)."""
        sql, bound = self.statement(params)
        return db.execute_sql(sql, bound).fetchone()

    def scalar(self, *params):
        """The first column of the first row."""
        return self.row(*params)[0]

    def later(self, *params, then=None):
        """scalar(*params), not yet read: read_later reads it with others in one statement.
        `then` turns the number into the value wanted."""
        return Later([(self, params)], then or (lambda value: value))


class Later:
    """A value some one-number queries will give, not yet read. A page that shows many counts
    (the home page's tiles) reads them all in one statement with read_later: each query run on
    its own is a round trip, and under load on PostgreSQL each round trip waits for a core."""

    def __init__(self, queries, then):
        self.queries, self.then = queries, then


def _as_is(value):
    return value


def _in_utc(value):
    return clock.to_utc(value) if isinstance(value, datetime.datetime) else value


def _conversions(params, bound):
    """How each parameter reached the SQL peewee wrote: as it is, or a moment in UTC (as
    DateTimeField stores it); None when that cannot be told (the site's zone is UTC itself) or
    the query's parameters are not `params`."""
    if len(params) != len(bound):
        return None
    ways = []
    for param, value in zip(params, bound):
        if isinstance(param, datetime.datetime):
            if _in_utc(param) == param or value != _in_utc(param):
                return None
            ways.append(_in_utc)
        elif value == param:
            ways.append(_as_is)
        else:
            return None
    return ways


def read_together(*queries):
    """Each peewee query's rows, as lists in the same order. On PostgreSQL they go in one
    pipeline (psycopg's Connection.pipeline): one round trip for them all. Under load each
    round trip waits for a core, and a page's time follows its round trips."""
    if not is_postgres():
        return [list(query) for query in queries]
    with db.connection().pipeline():
        cursors = [query.execute() for query in queries]
    return [list(rows) for rows in cursors]


def later_all(laters, then):
    """One Later from several: `then` is given their values."""
    return Later([query for item in laters for query in item.queries], lambda *values: then(
        *_unpacked(laters, iter(values))))


def _unpacked(laters, values):
    return [item.then(*[next(values) for _query in item.queries]) for item in laters]


def read_later(items):
    """`items` with each Later replaced by its value; their queries go as one SELECT of scalar
    subqueries (plain values stay as they are)."""
    pending = [item for item in items if isinstance(item, Later)]
    columns = {}  # (query, parameters) -> its column: a query two Laters need is read once
    for item in pending:
        for query in item.queries:
            columns.setdefault((query[0], tuple(query[1])), len(columns))
    parts, bound = [], []
    for prepared, params in columns:
        sql, args = prepared.statement(params)
        parts.append(f"({sql})")
        bound.extend(args)
    row = db.execute_sql("SELECT " + ", ".join(parts), bound).fetchone() if parts else ()
    values = iter(_unpacked(pending, (row[columns[query[0], tuple(query[1])]]
                                      for item in pending for query in item.queries)))
    return [next(values) if isinstance(item, Later) else item for item in items]


class Kept:
    """What `read()` gives, kept in this process until the state it was read at changes: a
    revision the caller learns cheaply (the signed-in user's query carries the settings' and
    the staff's). Without a revision it is read and not kept. forget() when an app is made."""

    def __init__(self, read):
        self.read, self.known = read, (None, None)

    def get(self, revision):
        known, value = self.known  # (one tuple: a thread never sees half of an update)
        if revision is None or known != revision or value is None:
            value = self.read()
            if revision is not None:
                self.known = (revision, value)
        return value

    def forget(self):
        self.known = (None, None)


def ids_in(field, ids):
    """`field IN (1, 2, 3)` with the ids written into the SQL: a page of rows asks for its
    related rows by a few hundred ids, and binding each as a parameter cost more than the query.
    Only for integers (checked)."""
    ids = [int(i) for i in ids]
    if not ids:
        return SQL("1 = 0")
    return field.in_(SQL("(" + ", ".join(map(str, ids)) + ")"))


def open_index(model, *fields, states):
    """A partial index over the rows whose state is one of `states` (the open ones): a few
    hundred rows however long the history, so open-work lists and counts stay fast."""
    name = "_".join([model._meta.table_name, "open"] + [f.column_name for f in fields])
    return model.index(*fields, where=in_literal(model.state, states), name=name)


def sparse_index(model, field):
    """An index over the rows where `field` is set. For columns that are empty in almost every
    row (a complaint's parent, a card's referrer): SQLite's statistics count all the NULLs as one
    value and would rather scan the table than use a plain index; `field = ?` and ranges imply
    `field IS NOT NULL`, so this one is used, and it is small."""
    return model.index(field, where=field.is_null(False),
                       name=f"{model._meta.table_name}_{field.column_name}_set")


def first_index(model):
    """An index over the few rows marked first in every queue (`priority` 1)."""
    return model.index(model.id, where=model.priority == SQL("1"),
                       name=f"{model._meta.table_name}_first_by_id")


def first_in_queue(model):
    """`model`'s rows marked first, as a condition that reads first_index whatever else a list
    filters by. Written as `priority = 1` beside a state or a category, SQLite walks that
    column's index past every unmarked row instead."""
    return model.id.in_(model.select(model.id).where(model.priority == SQL("1")))


def search_index(model, field):
    """The index a search key is read along: by `field`, then newest first, the order a search
    lists its hits in, so a common name or prefix stops after the hits it shows instead of
    reading and sorting every row with that name (PostgreSQL did, for each of a million
    visitors)."""
    return model.index(field, model._meta.primary_key.desc(),
                       name=f"{model._meta.table_name}_{field.column_name}_by_id")


def filled_index(model, field):
    """search_index over the rows where the optional text column `field` is not empty (a
    visitor's plate, a customer's second phone or room). When most rows hold '', the databases'
    statistics see one value covering the table and scan it rather than use a plain index.
    Lookups state `filled(field)`, so this index is used."""
    return model.index(field, model._meta.primary_key.desc(), where=filled(field),
                       name=f"{model._meta.table_name}_{field.column_name}_filled_by_id")


def is_sqlite():
    """True when the proxy points at SQLite (a few statements differ)."""
    return isinstance(db.obj, SqliteDatabase)


def is_postgres():
    """True when the proxy points at PostgreSQL."""
    return isinstance(db.obj, PostgresqlDatabase)


_BY_ID = {}


def _id_asked(model, expression):
    """n when `expression` is `model.id == n` (n an int), else None."""
    if (isinstance(expression, Expression) and expression.op == OP.EQ
            and expression.lhs is model._meta.primary_key and type(expression.rhs) is int):
        return expression.rhs
    return None


def _by_id(model):
    prepared = _BY_ID.get(model)
    if prepared is None:
        key = model._meta.primary_key
        prepared = _BY_ID[model] = Prepared(lambda ident: model.select().where(key == ident))
    return prepared


def label_of(field, labels):
    """A read-only property: the label `labels` gives the record's `field` (the stored value
    itself when it has none), as pages and prints show it."""
    return property(lambda record: labels.get(getattr(record, field), getattr(record, field)))


def next_step(record, steps, who):
    """What comes next for a record that moves through states: `steps` maps a state to its
    label, which may name who does it as %(who)s, filled in by who(record) only then. None
    when the record is finished or voided."""
    if record.finished or record.voided or record.state not in steps:
        return None
    text = str(steps[record.state])
    return text % {"who": who(record)} if "%(who)s" in text else text


class BaseModel(Model):
    """Every table: created/updated stamps and a readable label for logs."""

    # Not indexed here: every insert would pay for an index only the customer list reads.
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)

    # Declared once per model (models.masking.redacted): fields whose values the audit never
    # keeps (credentials), and phone and ID numbers shown masked unless revealed.
    secret_fields = ()
    masked_fields = {}
    # What people call a record of this kind (the logs show it, not the class name).
    record_name = ""

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        self.updated_at = now()
        return super().save(*args, **kwargs)

    @classmethod
    def get(cls, *query, **filters):
        """As peewee's, but a record asked for by its id (get_by_id, get_or_none(M.id == n), a
        foreign key read on first use) is read with SQL written once per model (Prepared)."""
        if len(query) == 1 and not filters:
            ident = _id_asked(cls, query[0])
            if ident is not None:
                record = _by_id(cls).first(cls, ident)
                if record is None:
                    raise cls.DoesNotExist(f"{cls.__name__} matching id = {ident} does not exist")
                return record
        return super().get(*query, **filters)

    @classmethod
    def by_id_query(cls, ident):
        """The query get_by_id(ident) runs, not yet run (for read_together)."""
        return _by_id(cls).query(cls, ident)

    def label(self):
        """How audit and access logs name this record."""
        return f"{self.__class__.__name__}#{self.id}"

    def related(self, backref):
        """The rows `self.<backref>` reads, oldest first."""
        return list(self.related_query(backref))

    def related_query(self, backref):
        """The query for related(backref), not yet run, with SQL written once per backref: a
        record's page lists several kinds of related rows, and writing their SQL cost more than
        reading them."""
        field = getattr(type(self), backref).field
        prepared = _RELATED.get(field)
        if prepared is None:
            prepared = _RELATED[field] = Prepared(
                lambda ident: field.model.select().where(field == ident).order_by(
                    field.model._meta.primary_key))
        return prepared.query(field.model, self.id)


_RELATED = {}


class SearchKeys:
    """Keeps the search keys (pinyin initials, full pinyin, phone tail) in step with the name and
    the phone on every save, whoever writes the row. `search_name` names the name field."""

    search_name = "name"

    def save(self, *args, **kwargs):
        full, initials = pinyin_keys(getattr(self, self.search_name))
        self.name_initials = initials
        if "name_pinyin" in self._meta.fields:
            self.name_pinyin = full
        self.phone_tail = phone_tail(self.phone)
        return super().save(*args, **kwargs)


class Voidable(BaseModel):
    """A record that is voided with a reason instead of deleted, and can be restored."""

    # No plain index on `voided`: almost every row has voided = false, and an index on it only
    # tempts the query planner away from the selective ones. Voided rows are found through the
    # partial index voided_index() adds to each voidable table.
    voided = BooleanField(default=False)
    voided_at = DateTimeField(null=True)
    voided_by = IntegerField(null=True)
    void_reason = CharField(max_length=500, null=True)

    @classmethod
    def live(cls):
        """Records that are not voided."""
        return cls.select().where(cls.not_voided())

    @classmethod
    def not_voided(cls):
        """The condition of live(), written as a literal, so queries written once (Prepared)
        bind only their own values."""
        return cls.voided == SQL("FALSE")

    @classmethod
    def is_voided(cls):
        """The voided rows' condition, in the form their partial index serves (a literal)."""
        return cls.voided == SQL("TRUE")

    @classmethod
    def voided_index(cls):
        return cls.index(cls.voided_at, where=cls.is_voided(),
                         name=f"{cls._meta.table_name}_voided_at")


__all__ = ["db", "now", "open_database", "is_sqlite", "is_postgres", "BaseModel", "Voidable",
           "SearchKeys",
           "ForeignKeyField"]
