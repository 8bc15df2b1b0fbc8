"""Schema upgrades keep every row, add what is missing, and take a backup first."""
import os
import sqlite3

import pytest
from peewee import fn

from models import Customer, EmergencyContact, User, db, now, schema
from tests.conftest import TEST_PG, make_app

# The tables as the first release shipped them: no plate, grading or search-key columns on
# customer, no session token on user, and no emergency contacts or timeline tables at all.
OLD_SCHEMA = """
CREATE TABLE "user" (id {pk}, created_at {dt} NOT NULL,
  updated_at {dt} NOT NULL, username VARCHAR(40) NOT NULL UNIQUE,
  display_name VARCHAR(40) NOT NULL, role VARCHAR(20) NOT NULL, password_hash VARCHAR(200) NOT NULL,
  active {bool} NOT NULL);
CREATE TABLE customer (id {pk}, created_at {dt} NOT NULL,
  updated_at {dt} NOT NULL, voided {bool} NOT NULL, voided_at {dt},
  voided_by INTEGER, void_reason VARCHAR(500), kind VARCHAR(20) NOT NULL, name VARCHAR(80) NOT NULL,
  phone VARCHAR(20) NOT NULL, owner_id INTEGER REFERENCES "user"(id), status VARCHAR(20) NOT NULL,
  notes TEXT NOT NULL);
INSERT INTO "user" (id, created_at, updated_at, username, display_name, role, password_hash, active)
  VALUES (1, '2025-01-02 09:00:00', '2025-01-02 09:00:00', 'old', '老员工', 'sales', 'x', {true});
INSERT INTO customer VALUES (1, '2025-01-03 10:00:00', '2025-01-03 10:00:00', {false}, NULL, NULL,
  NULL, 'resident', '张三', '13812345678', 1, 'cooperating', '老数据');
INSERT INTO customer VALUES (2, '2025-02-03 10:00:00', '2025-02-03 10:00:00', {true},
  '2025-03-01 10:00:00', 1, '重复', 'shopper', '李四', '13900001111', NULL, 'potential', '');
"""
SQLITE_TYPES = {"pk": "INTEGER PRIMARY KEY", "dt": "DATETIME", "bool": "INTEGER", "true": "1",
                "false": "0"}
POSTGRES_TYPES = {"pk": "SERIAL PRIMARY KEY", "dt": "TIMESTAMP", "bool": "BOOLEAN",
                  "true": "TRUE", "false": "FALSE"}


def create_old_database(tmp_path):
    """The first release's database, on SQLite or (TEST_DATABASE_URL) PostgreSQL."""
    if not TEST_PG:
        with sqlite3.connect(tmp_path / "frontdesk.db") as conn:
            conn.executescript(OLD_SCHEMA.format(**SQLITE_TYPES))
        make_app(tmp_path)
        return
    make_app(tmp_path)
    with db.connection_context():
        db.execute_sql("DROP SCHEMA public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
        for statement in OLD_SCHEMA.format(**POSTGRES_TYPES).split(";"):
            if statement.strip():
                db.execute_sql(statement)
        db.execute_sql("SELECT setval('customer_id_seq', 2)")


def backup_names(path):
    """Customer names in a backup file (a SQLite copy or a pg_dump script)."""
    if str(path).endswith(".db"):
        with sqlite3.connect(path) as conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(customer)")}
            assert "plate" not in columns  # the backup is the database as it was before
            return [row[0] for row in conn.execute("SELECT name FROM customer ORDER BY id")]
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert "plate" not in text.split("CREATE TABLE public.customer", 1)[1].split(";", 1)[0]
    return [name for name in ("张三", "李四") if name in text]


def test_upgrade_keeps_rows_and_adds_columns_and_tables(tmp_path):
    create_old_database(tmp_path)
    backups = tmp_path / "backups"
    with db.connection_context():
        pending = schema.pending_changes()
        assert "add column customer.plate" in pending
        assert "add column user.session_token" in pending
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
        # New columns, indexes and tables work straight away.
        old.save()
        assert Customer.get_by_id(1).name_initials == "zs"
        assert Customer.select().where(Customer.phone_tail == "5678").count() == 1
        EmergencyContact.create(customer=old, name="王五", phone="13700000000")
        assert Customer.create(name="新客户", phone="13600000000").id == 3

    files = os.listdir(backups)
    assert len(files) == 1 and "-before-upgrade." in files[0]
    assert backup_names(backups / files[0]) == ["张三", "李四"]


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


@pytest.mark.sqlite_only
def test_sqlite_pragmas(app, database):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 15000
    # NORMAL (1) for SQLite, whose file stays consistent; each commit is then synced by the app
    # (test_an_answered_write_is_synced_after_the_lock_is_released).
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1


def _recording_syncs(monkeypatch, database_path):
    """os.fsync, recording for each call the file it flushed and whether the writer lock
    beside the database was free at that moment."""
    import fcntl
    real_fsync, syncs = os.fsync, []

    def fsync(descriptor):
        with open(f"{database_path}.writer-lock", "a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (per open file: a held
                lock_free = True                                  # lock refuses this one)
            except BlockingIOError:
                lock_free = False
        syncs.append((os.readlink(f"/proc/self/fd/{descriptor}"), lock_free))
        return real_fsync(descriptor)
    monkeypatch.setattr(os, "fsync", fsync)
    return syncs


@pytest.mark.sqlite_only
def test_an_answered_write_is_synced_after_the_lock_is_released(tmp_path, monkeypatch):
    """synchronous "full": every commit that wrote, and every write outside a transaction, is
    flushed to the disk (the WAL file) before it returns, with the write lock already free
    for the next writer; reads sync nothing."""
    from models.base import open_database
    path = str(tmp_path / "durable.db")
    durable = open_database(f"sqlite:///{path}")
    durable.connect()
    durable.execute_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    syncs = _recording_syncs(monkeypatch, path)
    with durable.atomic():
        durable.execute_sql("INSERT INTO t (v) VALUES ('a')")
        durable.execute_sql("INSERT INTO t (v) VALUES ('b')")
        assert syncs == []  # not inside the transaction
    assert syncs == [(path + "-wal", True)]
    with durable.atomic():
        durable.execute_sql("SELECT COUNT(*) FROM t").fetchone()
    durable.execute_sql("SELECT v FROM t").fetchall()
    assert len(syncs) == 1
    durable.execute_sql("UPDATE t SET v = 'c' WHERE id = 1")
    assert syncs == [(path + "-wal", True)] * 2
    with pytest.raises(ValueError), durable.atomic():
        durable.execute_sql("INSERT INTO t (v) VALUES ('d')")
        raise ValueError("rolled back")
    assert len(syncs) == 2
    assert durable.execute_sql("SELECT v FROM t ORDER BY id").fetchall() == [("c",), ("b",)]
    durable.close()


@pytest.mark.sqlite_only
def test_a_registered_visitor_is_on_disk_before_the_answer(login, users, monkeypatch):
    """Through the app: the visitor's commit is flushed before the redirect is sent."""
    from models import Visit
    from tests.test_reception import visit_data
    desk = login("desk")
    path = db.obj.database
    syncs = _recording_syncs(monkeypatch, path)
    response = desk.submit("/reception/visits/new", visit_data(users, name="落盘访客"))
    assert response.status_code == 302
    assert Visit.get(Visit.name == "落盘访客").serial.startswith("FK-")
    assert syncs and set(syncs) == {(path + "-wal", True)}


@pytest.mark.sqlite_only
def test_synchronous_normal_is_a_setting(tmp_path, monkeypatch):
    """The documented trade-off (RELIABILITY.md): no sync at commit when the site chooses
    speed."""
    from models.base import open_database
    path = str(tmp_path / "fast.db")
    faster = open_database(f"sqlite:///{path}", synchronous="normal")
    faster.connect()
    assert faster.execute_sql("PRAGMA synchronous").fetchone()[0] == 1
    syncs = _recording_syncs(monkeypatch, path)
    with faster.atomic():
        faster.execute_sql("CREATE TABLE t (v TEXT)")
        faster.execute_sql("INSERT INTO t VALUES ('a')")
    faster.execute_sql("INSERT INTO t VALUES ('b')")
    assert syncs == []
    faster.close()
    with pytest.raises(ValueError):
        open_database(f"sqlite:///{path}", synchronous="off")


def test_upgrade_creates_missing_indexes(app, database):
    """A new index in the models is a pending change, and upgrade creates it."""
    db.execute_sql('DROP INDEX "complaint_open_closure_due"')
    assert "create index complaint_open_closure_due" in schema.pending_changes()
    schema.upgrade()
    assert "complaint_open_closure_due" in {i.name for i in db.get_indexes("complaint")}
    assert schema.pending_changes() == []


@pytest.mark.sqlite_only
def test_open_work_is_read_without_scanning_the_history(app, database, users):
    """Open complaints and work orders are a few hundred rows in years of history: the queries
    that list and count them must not read every row, with statistics (after ANALYZE, as an
    upgrade leaves them) and without."""
    import datetime

    from blueprints.complaints import deadlines as complaint_deadlines
    from models import Complaint, RepairRequest, WorkOrder
    from models.repairs import order_is_open

    def plan(query):
        sql, params = query.sql()
        return " ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))

    def reads_only_open_rows(query):
        steps = plan(query)
        assert "SCAN" not in steps.replace("SCAN t1 USING INDEX complaint_open", "").replace(
            "SCAN t1 USING INDEX work_order_open", ""), steps

    queries = [
        lambda: complaint_deadlines.open_complaints().order_by(Complaint.closure_due),
        lambda: complaint_deadlines.open_complaints().where(
            Complaint.owner == users["desk"].id).select(Complaint.id),
        lambda: WorkOrder.select(WorkOrder.id).where(
            order_is_open() & (WorkOrder.engineer == users["engineer"].id)),
        lambda: WorkOrder.select(WorkOrder.id).where(
            order_is_open() & (WorkOrder.deadline < datetime.datetime(2026, 1, 1)))]
    for query in queries:
        reads_only_open_rows(query())
    at = datetime.datetime(2020, 1, 1)
    Complaint.insert_many([dict(serial=f"KS-{n}", complainant="某", content="x", category="x",
                                closure_due=at, report_due=at, owner=users["desk"].id,
                                state="closed" if n > 2 else "recorded")
                           for n in range(300)]).execute()
    RepairRequest.insert_many([dict(location="1栋", content="x")] * 300).execute()
    WorkOrder.insert_many([dict(serial=f"WX-{n}", request=n + 1, deadline=at,
                                engineer=users["engineer"].id,
                                state="completed" if n > 2 else "dispatched")
                           for n in range(300)]).execute()
    db.execute_sql("ANALYZE")
    for query in queries:
        reads_only_open_rows(query())


@pytest.mark.sqlite_only
def test_every_search_reads_along_an_index(app, database, users):
    """The header search, for every kind of text typed into it, reads each table along an index:
    with statistics from a history where most visitors left no phone or plate and most customers
    have no second phone, room or building (as an upgrade leaves them after ANALYZE), a plain
    index on such a column looks worthless to SQLite and it scans the table instead (a plate
    search took 180 ms, a surname 0.6 s on a million visitors)."""
    import datetime

    from models import Complaint, Customer, RepairRequest, VipCard, Visit, WorkOrder
    from models.keys import pinyin_keys
    from services.search import search

    at = datetime.datetime(2020, 1, 1)
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静"]
    Customer.insert_many([dict(name=names[n % 5], phone=f"139{n:08d}",
                               name_pinyin=pinyin_keys(names[n % 5])[0],
                               name_initials=pinyin_keys(names[n % 5])[1],
                               phone_tail=f"{n:04d}", room="1201" if n == 7 else "",
                               building="3栋" if n == 7 else "",
                               plate="粤B12345" if n == 7 else "")
                          for n in range(400)]).execute()
    customer = Customer.get(Customer.phone == "13900000007")
    Visit.insert_many([dict(serial=f"FK-{n}", name=names[n % 5], arrived_at=at,
                            name_initials=pinyin_keys(names[n % 5])[1],
                            phone="13800000001" if n == 5 else "",
                            phone_tail="0001" if n == 5 else "",
                            plate="粤B12345" if n == 5 else "")
                       for n in range(400)]).execute()
    Complaint.insert_many([dict(serial=f"KS-{n}", complainant=names[n % 5], content="x",
                                category="x", closure_due=at, report_due=at,
                                name_initials=pinyin_keys(names[n % 5])[1],
                                phone="13700000001" if n == 5 else "",
                                phone_tail="0001" if n == 5 else "")
                           for n in range(400)]).execute()
    VipCard.insert_many([dict(number=f"VIP{n:06d}", customer=customer, name=names[n % 5],
                              phone=f"136{n:08d}", phone_tail=f"{n:04d}",
                              name_initials=pinyin_keys(names[n % 5])[1],
                              issued_on=at.date(), expires_on=at.date())
                         for n in range(400)]).execute()
    RepairRequest.insert_many([dict(location="1栋", location_key="1栋", content="x")]
                              * 400).execute()
    WorkOrder.insert_many([dict(serial=f"WX-{n}", request=n + 1, deadline=at)
                           for n in range(400)]).execute()
    db.execute_sql("ANALYZE")

    plans = []
    original = db.obj.execute_sql

    def explained(sql, params=None, *args, **kwargs):
        steps = " | ".join(row[3] for row in original("EXPLAIN QUERY PLAN " + sql, params))
        plans.append((sql, steps))
        return original(sql, params, *args, **kwargs)

    typed = {"张": 4, "张伟": 4, "zw": 4, "zhangwei": 1, "0001": 4, "13800000001": 1,
             "13900000007": 1, "1201": 1, "3栋": 1, "粤B12345": 2, "FK-1": 1, "KS-1": 1,
             "WX-1": 1, "VIP000": 1, "BX": 0, "zzz": 0}
    db.obj.execute_sql = explained
    try:
        found = {text: {hit.kind for hit in search(text)} for text in typed}
    finally:
        db.obj.execute_sql = original
    scans = [(sql, steps) for sql, steps in plans if "SCAN" in steps]
    assert plans and not scans, scans
    assert {text: len(kinds) for text, kinds in found.items()} == typed, found


@pytest.mark.sqlite_only
def test_write_transactions_queue_for_the_lock_across_processes(app, database, tmp_path):
    """A second database handle (as a second gunicorn worker has) waits for the first one's
    transaction to end and then writes; nothing fails with "database is locked", the lock is
    given back on commit, on rollback and when the transaction body raises."""
    import threading
    import time

    from models.base import open_database
    path = tmp_path / "frontdesk.db"
    other = open_database(f"sqlite:///{path}")
    other.connect()
    events = []

    def second_worker():
        with other.atomic():
            events.append(("second in", time.monotonic()))
            other.execute_sql("INSERT INTO setting (created_at, updated_at, key, value) "
                              "VALUES ('2026-01-01', '2026-01-01', 'queued', '1')")

    with db.atomic():
        db.execute_sql("INSERT INTO setting (created_at, updated_at, key, value) "
                       "VALUES ('2026-01-01', '2026-01-01', 'first', '1')")
        waiter = threading.Thread(target=second_worker)
        waiter.start()
        time.sleep(0.3)
        assert events == []  # still queued behind this transaction
        events.append(("first out", time.monotonic()))
    waiter.join(10)
    assert [name for name, _at in events] == ["first out", "second in"]
    keys = {row[0] for row in db.execute_sql("SELECT key FROM setting")}
    assert {"first", "queued"} <= keys

    with pytest.raises(ZeroDivisionError):
        with other.atomic():
            other.execute_sql("INSERT INTO setting (created_at, updated_at, key, value) "
                              "VALUES ('2026-01-01', '2026-01-01', 'lost', '1')")
            1 / 0
    other.begin()
    other.rollback()
    started = time.monotonic()
    with db.atomic():  # free again: the raising body and the rollback both gave it back
        db.execute_sql("UPDATE setting SET value = '2' WHERE key = 'first'")
    assert time.monotonic() - started < 5
    assert "lost" not in {row[0] for row in db.execute_sql("SELECT key FROM setting")}
    other.close()


def test_dates_read_back_from_either_stored_form(app, database, users):
    """Datetimes are read with fromisoformat, with and without fractions of a second, and the
    dates the same; what the database hands back as objects (PostgreSQL) passes through."""
    import datetime

    from models import Visit
    moment = datetime.datetime(2026, 11, 22, 9, 30, 5, 250000)
    visit = Visit.create(serial="FK-D-1", name="访客", arrived_at=moment, host=users["desk"])
    Visit.create(serial="FK-D-2", name="访客", arrived_at=moment.replace(microsecond=0),
                 host=users["desk"])
    read = {v.serial: v.arrived_at for v in Visit.select()}
    assert read == {"FK-D-1": moment, "FK-D-2": moment.replace(microsecond=0)}
    # Stored in UTC, read as the site's time (Asia/Shanghai, +8).
    assert Visit.arrived_at.python_value("2026-11-22 09:30") == datetime.datetime(2026, 11, 22,
                                                                                  17, 30)
    assert Visit.arrived_at.python_value(moment) == moment + datetime.timedelta(hours=8)
    assert Visit.arrived_at.python_value(None) is None
    assert Visit.get_by_id(visit.id).arrived_at == moment
    from models import Customer
    day = datetime.date(2026, 11, 22)
    assert Customer.contract_date.python_value("2026-11-22") == day
    assert Customer.contract_date.python_value("2026-11-22 00:00:00") == day  # peewee's formats
    assert Customer.contract_date.python_value(day) is day


def test_prepared_query_builds_its_sql_once_and_binds_new_values(app, database, users):
    from models import User
    from models.base import Prepared
    built = []

    def build(ident, token):
        built.append(ident)
        return User.select().where((User.id == ident) & (User.session_token == token))
    by_token = Prepared(build)
    for role in ("desk", "manager", "gm"):
        user = users[role]
        assert by_token.first(User, user.id, user.session_token).username == role
    assert by_token.first(User, users["desk"].id, "not the token") is None
    assert len(built) == 1  # built once, then only bound

    # A query with values of its own (not parameters) is built every time, still correctly.
    active = Prepared(lambda role: User.select().where((User.role == role) &
                                                       (User.active == True)))  # noqa: E712
    assert active.first(User, "gm").username == "gm"
    assert active.first(User, "desk").username == "desk"


def test_prepared_rows_carry_joined_columns_by_their_alias(app, database, users):
    """A prepared query reads joined columns under their alias, for new parameters, with its
    SQL written once."""
    from models import RepairRequest, WorkOrder
    from models.base import Prepared

    for n, location in enumerate(["1栋101", "2栋202", "3栋303"]):
        request = RepairRequest.create(location=location, content=f"报修{n}")
        WorkOrder.create(serial=f"WX-P-{n}", request=request, deadline=now())
    built = []

    def build(serial):
        built.append(serial)
        return (WorkOrder.select(WorkOrder.id, WorkOrder.serial,
                                 RepairRequest.location.alias("where")).join(RepairRequest)
                .where(WorkOrder.serial == serial))
    orders = Prepared(build)
    found = [[(o.serial, o.where) for o in orders.rows(WorkOrder, f"WX-P-{n}")]
             for n in (0, 2, 1, 9)]
    assert found == [[("WX-P-0", "1栋101")], [("WX-P-2", "3栋303")], [("WX-P-1", "2栋202")], []]
    assert built == ["WX-P-0"]  # written once, then only bound


def test_save_saves_every_value(app, database, users):
    from peewee import fn

    from models import Visit

    first = Visit.create(serial="FK-S-1", name="访客甲", phone="13900000001", arrived_at=now(),
                         host=users["desk"], left_at=now())
    second = Visit.create(serial="FK-S-2", name="访客乙", arrived_at=now(), left_at=None,
                          host=users["manager"], plate="沪A12345")
    assert second.id == first.id + 1
    read = Visit.get_by_id(second.id)
    assert (read.name, read.left_at, read.plate, read.host_id) == (
        "访客乙", None, "沪A12345", users["manager"].id)
    assert Visit.get_by_id(first.id).left_at is not None

    # An update binds every field and the id, and touches only that row.
    read.purpose, read.phone = "送快递", "13900000002"
    assert read.save() == 1
    assert [(v.serial, v.purpose, v.phone) for v in Visit.select().order_by(Visit.id)] == [
        ("FK-S-1", first.purpose, "13900000001"), ("FK-S-2", "送快递", "13900000002")]

    # An explicit id is inserted as given; an SQL expression as a value goes through peewee.
    Visit.create(id=first.id + 100, serial="FK-S-3", name="访客丙", arrived_at=now(),
                 host=users["desk"])
    assert Visit.get_by_id(first.id + 100).serial == "FK-S-3"
    customer = Customer.create(kind="resident", name="张三", phone="13812345678")
    customer.notes = fn.LOWER("ABC")
    customer.save()
    assert Customer.get_by_id(customer.id).notes == "abc"
    assert Customer.get_by_id(customer.id).name_initials == "zs"


def test_records_by_id(app, database, users):
    from models import Visit

    visit = Visit.create(serial="FK-I-1", name="访客甲", arrived_at=now(), host=users["desk"])
    assert Visit.get_by_id(visit.id).serial == "FK-I-1"
    assert Visit.get_or_none(Visit.id == visit.id).name == "访客甲"
    assert Visit.get_or_none(Visit.id == visit.id + 1) is None
    with pytest.raises(Visit.DoesNotExist):
        Visit.get_by_id(visit.id + 1)
    assert Visit.get_by_id(visit.id).host.username == "desk"  # the foreign key, read on first use
    # Anything else is peewee's own get: other fields, a string id, several conditions.
    assert Visit.get(Visit.serial == "FK-I-1").id == visit.id
    assert Visit.get(Visit.id == str(visit.id)).id == visit.id
    assert Visit.get_or_none((Visit.id == visit.id) & (Visit.voided == True)) is None  # noqa: E712


def test_prepared_moments_are_bound_in_utc_like_the_field_stores_them(app, database, users):
    """A moment compared with a DateTimeField reaches the SQL in UTC, as the field stores it;
    the prepared query binds each new moment the same way, its SQL still written once."""
    import datetime

    from models import Visit
    from models.base import Prepared, later_all, read_later
    for hour in (8, 12, 17):
        Visit.create(serial=f"FK-U{hour}", name="访客", arrived_at=datetime.datetime(
            2026, 11, 23, hour))
    built = []

    def build(before):
        built.append(before)
        return Visit.select(fn.COUNT(Visit.id)).where(Visit.arrived_at < before)
    earlier = Prepared(build)
    counts = [earlier.scalar(datetime.datetime(2026, 11, 23, hour)) for hour in (9, 13, 18, 7)]
    assert counts == [1, 2, 3, 0]
    assert len(built) == 1
    # Read as Laters, in one statement: the same numbers, a shared query read once.
    noon = earlier.later(datetime.datetime(2026, 11, 23, 13))
    assert read_later([noon, 5, later_all([noon, earlier.later(
        datetime.datetime(2026, 11, 23, 18))], lambda a, b: b - a)]) == [2, 5, 1]


def test_queries_read_together_give_their_own_rows_in_one_round_trip(app, database, users):
    """read_together gives each query's rows as reading it alone would, in order, empty ones
    included; on PostgreSQL every query goes before the one Sync, so there is one round trip."""
    from models import Visit
    from models.base import Prepared, read_together
    from tests.conftest import round_trips
    for n in range(3):
        Visit.create(serial=f"FK-T{n}", name=f"访客{n}")
    named = Prepared(lambda name: Visit.select().where(Visit.name == name))
    queries = lambda: [Visit.select().order_by(Visit.id.desc()),  # noqa: E731
                       Visit.select().where(Visit.name == "无此人"),
                       named.query(Visit, "访客1"), User.select(User.username).order_by(User.id)]
    alone = [[(row.id, getattr(row, "serial", None)) for row in query]
             for query in queries()]
    with round_trips() as trips:
        together = read_together(*queries())
    assert trips.count == (1 if TEST_PG else 4)
    assert [[(row.id, getattr(row, "serial", None)) for row in rows]
            for rows in together] == alone
    assert [len(rows) for rows in together] == [3, 0, 1, len(users)]
