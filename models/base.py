"""The database proxy, the base model and the void/restore mixin shared by every domain."""
import datetime

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
)
from playhouse import db_url

from services.search import phone_tail, pinyin_keys

db = DatabaseProxy()


def now():
    """The current local time without microseconds, as every record stores it."""
    return datetime.datetime.now().replace(microsecond=0)


def open_database(url):
    """Build a Peewee database from a URL; SQLite gets WAL, foreign keys and a busy timeout.

    Each serving thread keeps its connection from one request to the next (see app.py), so
    SQLite's parsed schema and page cache, and PostgreSQL's session, outlive the request."""
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a writer takes the lock up front and waits (busy timeout) instead of
        # failing half-way when two transactions try to upgrade a read lock at once.
        return db_url.connect(url, pragmas={"journal_mode": "wal", "foreign_keys": 1,
                                            "busy_timeout": 15000, "synchronous": "normal"},
                              timeout=15, lock_type="IMMEDIATE", check_same_thread=False)
    return db_url.connect(url)


def in_literal(field, values):
    """`field IN ('a', 'b')` with the values written into the SQL, not bound as parameters.

    For the fixed lists of open states only: a partial index (`WHERE state IN (...)`) is used
    by SQLite only when the query states the same constants; with `?` parameters it cannot tell.
    """
    assert all(v.replace("_", "").isalnum() and v.isascii() for v in values), values
    return field.in_(SQL("(" + ", ".join(f"'{v}'" for v in values) + ")"))


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


def is_sqlite():
    """True when the proxy points at SQLite (a few statements differ)."""
    return isinstance(db.obj, SqliteDatabase)


def is_postgres():
    """True when the proxy points at PostgreSQL."""
    return isinstance(db.obj, PostgresqlDatabase)


class BaseModel(Model):
    """Every table: created/updated stamps and a readable label for logs."""

    created_at = DateTimeField(default=now, index=True)
    updated_at = DateTimeField(default=now)

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        self.updated_at = now()
        return super().save(*args, **kwargs)

    def label(self):
        """How audit and access logs name this record."""
        return f"{self.__class__.__name__}#{self.id}"


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
        return cls.select().where(cls.voided == False)  # noqa: E712

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
