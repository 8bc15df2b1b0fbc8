"""Upgrade an existing database in place, never dropping data, with a backup taken first.

Additive changes (a new table, column or index) are found by comparing the models with the
database. Changes that need data moved are written as numbered steps in DATA_STEPS.
"""
import copy
import datetime
import logging
import re

from peewee import IntegerField
from playhouse.migrate import SchemaMigrator, migrate

from .base import BaseModel, db, is_sqlite

log = logging.getLogger(__name__)


class SchemaInfo(BaseModel):
    """The number of the last data step applied."""

    version = IntegerField(default=0)


def _fill_contacted_at(database):
    """Customers' last contact from the contact log, visits made and follow-ups done."""
    import datetime

    from peewee import fn

    from . import ContactLog, Customer, CustomerVisit, FollowUp
    Customer.update(contacted_at=Customer.created_at).where(
        Customer.contacted_at.is_null()).execute()
    for model, column in ((ContactLog, ContactLog.at), (CustomerVisit, CustomerVisit.visited_at),
                          (FollowUp, FollowUp.done_at)):
        latest = (model.select(model.customer, fn.MAX(column))
                  .where(column.is_null(False) & model.customer.is_null(False))
                  .group_by(model.customer).tuples())
        for customer_id, at in latest:
            if isinstance(at, str):
                at = datetime.datetime.fromisoformat(at)
            Customer.touch_contact(customer_id, at)


def _drop_voided_indexes(database):
    """The plain index on `voided` misled the query planner; partial indexes replace it."""
    from . import MODELS
    from .base import Voidable
    for model in MODELS:
        if issubclass(model, Voidable):
            database.execute_sql(f'DROP INDEX IF EXISTS "{model._meta.table_name}_voided"')


def _dropping(*names):
    """A step that drops these plain indexes, replaced by partial ones in the models."""
    def step(database):
        for name in names:
            database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    return step


# Nearly empty columns (see sparse_index) and optional text columns (see filled_index).
_drop_sparse_column_indexes = _dropping(
    "complaint_parent_id", "repair_request_repeat_of_id", "vip_card_previous_id",
    "vip_card_referrer_id", "visit_visitee_customer_id", "customer_provisional_until",
    "customer_blacklisted")
_drop_optional_column_indexes = _dropping(
    "visit_phone", "visit_phone_tail", "visit_plate", "customer_building", "customer_room",
    "customer_plate", "customer_phone_tail", "complaint_phone", "complaint_phone_tail")


def _drop_unread_indexes(database):
    """Indexes no query reads cost every insert: the created stamps (but the customer's, the
    one table whose lists read it), and a visit's class and night flag (filtered within a day,
    which the arrival index finds)."""
    from . import MODELS
    names = ["visit_reception_class", "visit_night_duty"]
    for model in MODELS:
        name = f"{model._meta.table_name}_created_at"
        if name not in {_index_name(index) for index in model._meta.fields_to_index()}:
            names.append(name)
    _dropping(*names)(database)


def _fill_next_due(database):
    from .complaints import refresh_next_due
    refresh_next_due()


def _fill_birthday_md(database):
    from .vip import fill_birthday_md
    fill_birthday_md()


def _redact_audit_trail(database):
    """Audit entries written before models declared their secrets and numbers: the password
    hashes and session tokens they hold are replaced by a mark, and numbers are masked."""
    import json

    from . import MODELS
    from .masking import redacted
    from .platform import AuditEntry
    declared = {m.__name__: m for m in MODELS if m.secret_fields or m.masked_fields}
    query = (AuditEntry.select(AuditEntry.id, AuditEntry.model, AuditEntry.before,
                               AuditEntry.after)
             .where(AuditEntry.model.in_(list(declared))).order_by(AuditEntry.id))
    for entry in query.iterator():
        model = declared[entry.model]
        values = [json.dumps(redacted(model, json.loads(text or "{}")), ensure_ascii=False)
                  for text in (entry.before, entry.after)]
        if values != [entry.before, entry.after]:
            AuditEntry.update(before=values[0], after=values[1]).where(
                AuditEntry.id == entry.id).execute()


def _times_to_utc(database):
    """Moments were stored as the server's local time; they are now stored in UTC. Each is
    converted with the server's zone as it was when written (its DST rules included), which is
    the zone this process runs in. A server kept in UTC has nothing to convert."""
    import time

    from . import MODELS
    from .base import DateTimeField
    if time.timezone == 0 and not time.daylight:
        return
    for model in MODELS + [SchemaInfo]:
        table = model._meta.table_name
        for field in model._meta.sorted_fields:
            if not isinstance(field, DateTimeField):
                continue
            column = field.column_name
            if is_sqlite():  # SQLite's 'utc' modifier reads the C library's local zone
                database.execute_sql(f'UPDATE "{table}" SET "{column}" = '
                                     f'datetime("{column}", \'utc\') WHERE "{column}" IS NOT NULL')
                continue
            rows = database.execute_sql(f'SELECT id, "{column}" FROM "{table}" '
                                        f'WHERE "{column}" IS NOT NULL').fetchall()
            for row_id, value in rows:
                moment = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
                database.execute_sql(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s',
                                     (moment, row_id))


def _search_indexes_by_id(database):
    """Search keys are indexed by key and then newest first (search_index, filled_index): the
    indexes by key alone, which upgrade() has just replaced, go."""
    from . import MODELS
    wanted = {index_name for model in MODELS for index_name in map(
        _index_name, model._meta.fields_to_index())}
    for model in MODELS:
        table = model._meta.table_name
        for field in model._meta.sorted_fields:
            for old in (f"{table}_{field.column_name}", f"{table}_{field.column_name}_filled"):
                if (f"{old}_by_id" in wanted or f"{old}_filled_by_id" in wanted) and \
                        old not in wanted:
                    database.execute_sql(f'DROP INDEX IF EXISTS "{old}"')


# (number, description, function(database)) — append only, never renumber.
DATA_STEPS = [(1, "customer.contacted_at from contacts, visits and follow-ups",
               _fill_contacted_at),
              (2, "drop the plain indexes on voided", _drop_voided_indexes),
              (3, "drop plain indexes on nearly empty columns", _drop_sparse_column_indexes),
              (4, "complaint.next_due for open complaints", _fill_next_due),
              (5, "vip_card.birthday_md from the birthday", _fill_birthday_md),
              (6, "drop plain indexes on optional text columns", _drop_optional_column_indexes),
              (7, "audit entries keep no secrets and only masked numbers", _redact_audit_trail),
              (8, "moments stored in UTC (they were the server's local time)", _times_to_utc),
              (9, "search keys indexed newest first", _search_indexes_by_id),
              (10, "who is due for contact indexed over live customers",
               _dropping("customer_tier_contacted_at", "customer_owner_id_tier_contacted_at")),
              (11, "drop indexes no query reads (created stamps, a visit's class and night)",
               _drop_unread_indexes)]


def _models():
    from . import MODELS
    return MODELS


def _index_name(index):
    """The name in the index's CREATE INDEX statement, as the database would be given it."""
    sql, _ = db.get_sql_context().sql(index).query()
    return re.search(r'INDEX IF NOT EXISTS "([^"]+)"', sql).group(1)


def pending_changes():
    """What upgrade() would do, as readable lines; empty when the database is current."""
    tables = set(db.get_tables())
    changes = []
    for model in _models() + [SchemaInfo]:
        table = model._meta.table_name
        if table not in tables:
            changes.append(f"create table {table}")
            continue
        existing = {c.name for c in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in existing:
                changes.append(f"add column {table}.{field.column_name}")
        indexes = {index.name for index in db.get_indexes(table)}
        for index in model._meta.fields_to_index():
            name = _index_name(index)
            if name not in indexes:
                changes.append(f"create index {name}")
    version = _current_version(tables)
    for number, description, _ in DATA_STEPS:
        if number > version:
            changes.append(f"step {number}: {description}")
    return changes


def _current_version(tables):
    if SchemaInfo._meta.table_name not in tables:
        return 0
    row = SchemaInfo.select().order_by(SchemaInfo.id.desc()).first()
    return row.version if row else 0


def _add_column(migrator, model, field):
    """Add a column without rebuilding the table: nullable first, filled with the field's
    default row by row, then NOT NULL where the database can set it in place (PostgreSQL)."""
    table = model._meta.table_name
    nullable = copy.copy(field)
    # Indexes come afterwards from create_indexes(safe=True), named as a new table names them.
    nullable.null, nullable.default, nullable.index, nullable.unique = True, None, False, False
    migrate(migrator.add_column(table, field.column_name, nullable))
    if field.default is not None:
        column = model._meta.columns[field.column_name]
        if callable(field.default):
            for (row_id,) in model.select(model._meta.primary_key).where(column.is_null()).tuples():
                model.update({column: field.default()}).where(
                    model._meta.primary_key == row_id).execute()
        else:
            model.update({column: field.default}).where(column.is_null()).execute()
    if not field.null and not is_sqlite():
        migrate(migrator.add_not_null(table, field.column_name))


def is_new_database():
    """True when the database has none of our tables yet."""
    return not set(db.get_tables()) & {m._meta.table_name for m in _models()}


def upgrade(backup_dir=None):
    """Bring the schema up to date; back up first when there is data to protect.

    Returns the list of changes applied (empty when nothing was pending).
    """
    changes = pending_changes()
    if not changes:
        return []
    new = is_new_database()
    if not new and backup_dir:
        from .backup import backup_database
        path = backup_database(backup_dir, tag="before-upgrade")
        log.info("backup before schema upgrade: %s", path)
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        tables = set(db.get_tables())
        # Only tables that are missing: indexes on an existing table must wait for its columns
        # (SQLite would otherwise index the string literal of a column it does not have yet).
        db.create_tables([m for m in _models() + [SchemaInfo]
                          if m._meta.table_name not in tables], safe=True)
        for model in _models():
            table = model._meta.table_name
            if table not in tables:
                continue
            existing = {c.name for c in db.get_columns(table)}
            for field in model._meta.sorted_fields:
                if field.column_name not in existing:
                    _add_column(migrator, model, field)
            model.create_table(safe=True)  # the table is there: its missing indexes
        version = _current_version(tables)
        for number, description, step in DATA_STEPS:
            if number > version:
                log.info("schema step %s: %s", number, description)
                step(db)
        latest = max([n for n, _, _ in DATA_STEPS], default=0)
        SchemaInfo.delete().execute()
        SchemaInfo.create(version=latest)
    # Fresh statistics, so the query planner knows which indexes are selective.
    db.execute_sql("ANALYZE")
    return changes
