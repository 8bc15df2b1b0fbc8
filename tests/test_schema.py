"""Schema upgrades keep every row, add what is missing, and take a backup first."""
import os
import sqlite3

import pytest

from models import Customer, EmergencyContact, User, db, schema
from tests.conftest import TEST_PG, make_app

# The customer table as the first release shipped it: no plate, grading or search-key columns,
# and no emergency contacts or timeline tables at all.
OLD_SCHEMA = """
CREATE TABLE "user" (id INTEGER PRIMARY KEY, created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL, username VARCHAR(40) NOT NULL UNIQUE,
  display_name VARCHAR(40) NOT NULL, role VARCHAR(20) NOT NULL, password_hash VARCHAR(200) NOT NULL,
  active INTEGER NOT NULL);
CREATE TABLE customer (id INTEGER PRIMARY KEY, created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL, voided INTEGER NOT NULL DEFAULT 0, voided_at DATETIME,
  voided_by INTEGER, void_reason VARCHAR(500), kind VARCHAR(20) NOT NULL, name VARCHAR(80) NOT NULL,
  phone VARCHAR(20) NOT NULL, owner_id INTEGER REFERENCES "user"(id), status VARCHAR(20) NOT NULL,
  notes TEXT NOT NULL);
INSERT INTO "user" VALUES (1, '2025-01-02 09:00:00', '2025-01-02 09:00:00', 'old', '老员工', 'sales',
  'x', 1);
INSERT INTO customer VALUES (1, '2025-01-03 10:00:00', '2025-01-03 10:00:00', 0, NULL, NULL, NULL,
  'resident', '张三', '13812345678', 1, 'cooperating', '老数据');
INSERT INTO customer VALUES (2, '2025-02-03 10:00:00', '2025-02-03 10:00:00', 1, '2025-03-01 10:00:00',
  1, '重复', 'shopper', '李四', '13900001111', NULL, 'potential', '');
"""


@pytest.mark.skipif(bool(TEST_PG), reason="the old schema fixture is a SQLite file")
def test_upgrade_keeps_rows_and_adds_columns_and_tables(tmp_path):
    path = tmp_path / "frontdesk.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
    make_app(tmp_path)
    backups = tmp_path / "backups"
    with db.connection_context():
        pending = schema.pending_changes()
        assert "add column customer.plate" in pending
        assert "create table emergency_contact" in pending
        applied = schema.upgrade(str(backups))
        assert applied == pending
        assert schema.pending_changes() == []
        assert schema.upgrade(str(backups)) == []  # a second run has nothing to do

        old = Customer.get_by_id(1)
        assert (old.name, old.phone, old.notes, old.owner.username) == ("张三", "13812345678",
                                                                        "老数据", "old")
        assert old.plate == "" and old.tier == ""
        voided = Customer.get_by_id(2)
        assert voided.voided and voided.void_reason == "重复"
        assert User.get_by_id(1).session_token  # new not-null column got its default
        # New columns and tables work straight away.
        old.save()
        assert Customer.get_by_id(1).name_initials == "zs"
        EmergencyContact.create(customer=old, name="王五", phone="13700000000")

    files = os.listdir(backups)
    assert len(files) == 1 and files[0].endswith("-before-upgrade.db")
    with sqlite3.connect(backups / files[0]) as conn:
        assert conn.execute("SELECT name FROM customer ORDER BY id").fetchall() == [("张三",),
                                                                                   ("李四",)]
        columns = {row[1] for row in conn.execute("PRAGMA table_info(customer)")}
        assert "plate" not in columns  # the backup is the database as it was before


def test_new_database_is_created_without_backup(tmp_path):
    make_app(tmp_path)
    with db.connection_context():
        if TEST_PG:
            db.execute_sql("DROP SCHEMA public CASCADE")
            db.execute_sql("CREATE SCHEMA public")
        assert schema.is_new_database()
        changes = schema.upgrade(str(tmp_path / "backups"))
        assert "create table customer" in changes
        assert not schema.is_new_database()
    assert not (tmp_path / "backups").exists()


@pytest.mark.skipif(bool(TEST_PG), reason="checks SQLite pragmas")
def test_sqlite_pragmas(app, database):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 15000
