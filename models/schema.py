"""Upgrade an existing database in place, never dropping data, with a backup taken first.

Additive changes (a new table, column or index) are found by comparing the models with the
database. Changes that need data moved are written as numbered steps in DATA_STEPS.
"""
import logging

from peewee import IntegerField
from playhouse.migrate import SchemaMigrator, migrate

from .base import BaseModel, db

log = logging.getLogger(__name__)


class SchemaInfo(BaseModel):
    """The number of the last data step applied."""

    version = IntegerField(default=0)


# (number, description, function(database)) — append only, never renumber.
DATA_STEPS = []


def _models():
    from . import MODELS
    return MODELS


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
        from services.backup import backup_database
        path = backup_database(backup_dir, tag="before-upgrade")
        log.info("backup before schema upgrade: %s", path)
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        tables = set(db.get_tables())
        db.create_tables(_models() + [SchemaInfo], safe=True)
        for model in _models():
            table = model._meta.table_name
            if table not in tables:
                continue
            existing = {c.name for c in db.get_columns(table)}
            missing = [f for f in model._meta.sorted_fields if f.column_name not in existing]
            migrate(*[migrator.add_column(table, f.column_name, f) for f in missing])
            model._schema.create_indexes(safe=True)
        version = _current_version(tables)
        for number, description, step in DATA_STEPS:
            if number > version:
                log.info("schema step %s: %s", number, description)
                step(db)
        latest = max([n for n, _, _ in DATA_STEPS], default=0)
        SchemaInfo.delete().execute()
        SchemaInfo.create(version=latest)
    return changes
