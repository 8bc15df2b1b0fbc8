"""Platform services tested directly: serials, working days, masking, identity checks, search keys."""
import datetime
import threading

import pytest

from models import Customer, SerialCounter, VipCard, db, masking
from models.base import literal
from models.keys import phone_tail, pinyin_keys
from services import identity, serials, workdays
from services.search import Query

D = datetime.datetime


# ---- serial numbers -------------------------------------------------------------------------

def test_serial_format_and_monthly_reset(database):
    november = D(2026, 11, 30, 23, 59)
    december = D(2026, 12, 1, 0, 0)
    assert serials.next_serial("KS", november) == "KS-202611-0001"
    assert serials.next_serial("KS", november) == "KS-202611-0002"
    assert serials.next_serial("KS", december) == "KS-202612-0001"
    assert serials.next_serial("WX", december) == "WX-202612-0001"
    assert serials.next_serial("KS", november) == "KS-202611-0003"


def test_vip_serial_is_global_with_eight_digits(database):
    assert serials.next_serial("VIP") == "VIP00000001"
    assert serials.next_serial("VIP") == "VIP00000002"


def test_unknown_kind_is_refused(database):
    with pytest.raises(ValueError):
        serials.next_serial("XX")


def test_rolled_back_transaction_leaves_no_gap(database):
    when = D(2026, 11, 5)
    assert serials.next_serial("FK", when) == "FK-202611-0001"
    with pytest.raises(RuntimeError):
        with db.atomic():
            serials.next_serial("FK", when)
            raise RuntimeError("the record that would carry the number failed")
    assert serials.next_serial("FK", when) == "FK-202611-0002"


def test_serials_unique_and_gap_free_under_eight_threads(app, database):
    when = D(2026, 11, 22, 10)
    issued, errors = [], []
    lock = threading.Lock()

    def worker():
        try:
            with db.connection_context():
                for _ in range(25):
                    with db.atomic():
                        number = serials.next_serial("TH", when)
                    with lock:
                        issued.append(number)
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(issued) == 200
    assert sorted(issued) == [f"TH-202611-{n:04d}" for n in range(1, 201)]
    assert SerialCounter.get(kind="TH", period="202611").last == 200


# ---- working days ---------------------------------------------------------------------------

def test_working_days_skip_national_day_holiday():
    accepted = D(2026, 9, 30, 15, 0)  # Wednesday before the 1-7 October holiday
    assert workdays.add_workdays(accepted, 1) == D(2026, 10, 8, 15, 0)
    assert workdays.add_workdays(accepted, 2) == D(2026, 10, 9, 15, 0)


def test_tiaoxiu_saturday_counts_as_a_working_day():
    assert workdays.is_workday(datetime.date(2026, 10, 10))  # 调休 Saturday
    assert not workdays.is_workday(datetime.date(2026, 10, 11))  # ordinary Sunday
    assert workdays.add_workdays(D(2026, 10, 9, 9, 0), 1) == D(2026, 10, 10, 9, 0)
    assert workdays.add_workdays(D(2026, 9, 19, 9, 0), 1) == D(2026, 9, 20, 9, 0)  # Sunday 调休


def test_weekend_is_skipped_and_zero_days_is_the_same_moment():
    friday = D(2026, 11, 20, 16, 30)
    assert workdays.add_workdays(friday, 1) == D(2026, 11, 23, 16, 30)
    assert workdays.add_workdays(friday, 0) == friday
    with pytest.raises(ValueError):
        workdays.add_workdays(friday, -1)


def test_hours_count_the_clock_across_holidays():
    assert workdays.add_hours(D(2026, 9, 30, 20, 0), 24) == D(2026, 10, 1, 20, 0)


def test_a_year_the_library_does_not_know_gets_its_statutory_holidays(database):
    """2027: chinese-calendar 1.11 stops at 2026. Thursday 2027-02-04 16:00 plus one working
    day is not Friday the 5th (除夕, the first day of 春节: 除夕 to 初三 under the 2024 rules)
    but Tuesday the 9th."""
    assert not workdays.library_covers(2027) and workdays.library_covers(2026)
    assert workdays.add_workdays(D(2027, 2, 4, 16, 0), 1) == D(2027, 2, 9, 16, 0)
    statutory = workdays.statutory_holidays(2027)
    assert len(statutory) == 13  # 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3
    assert {datetime.date(2027, 5, 1), datetime.date(2027, 5, 2), datetime.date(2027, 10, 3),
            datetime.date(2027, 2, 5)} <= set(statutory)
    assert workdays.add_workdays(D(2090, 1, 6, 9, 0), 1) == D(2090, 1, 9, 9, 0)  # Fri -> Mon
    lunar_and_solar = {d: n for d, n in workdays.statutory_holidays(2030).items()
                       if d.month in (2, 4, 6, 9)}
    assert lunar_and_solar == {datetime.date(2030, 2, 2): "春节", datetime.date(2030, 2, 3): "春节",
                               datetime.date(2030, 2, 4): "春节", datetime.date(2030, 2, 5): "春节",
                               datetime.date(2030, 4, 5): "清明节",
                               datetime.date(2030, 6, 5): "端午节",
                               datetime.date(2030, 9, 12): "中秋节"}
    assert len(workdays.statutory_holidays(2100)) == 6 + 1  # beyond lunardate: the fixed days


def test_the_administrators_entries_override_library_and_rules(database):
    from models import Holiday
    saturday = datetime.date(2027, 2, 13)  # a make-up working day (调休上班), entered by hand
    assert not workdays.is_workday(saturday)
    Holiday.create(day=saturday, workday=True, name="春节调休", source="国办发明电〔2026〕1号")
    library_day = datetime.date(2026, 10, 7)  # a day off in the library's 2026 schedule
    assert not workdays.is_workday(library_day)
    Holiday.create(day=library_day, workday=True, name="国庆调整", source="测试")
    workdays.forget_entries()
    assert workdays.is_workday(saturday) and workdays.is_workday(library_day)
    assert workdays.add_workdays(D(2027, 2, 12, 9, 0), 1) == D(2027, 2, 13, 9, 0)
    kinds = {d: (w, source) for d, w, _name, source in workdays.year_calendar(2027)}
    assert kinds[saturday] == (True, "entered")
    assert kinds[datetime.date(2027, 2, 5)] == (False, "computed")
    assert {source for _d, _w, _n, source in workdays.year_calendar(2026)} == {
        "library", "entered"}


# ---- masking and identity ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, shown", [
    ("13812345678", "138****5678"),
    ("075586001234", "075*****1234"),
    ("86001234", "****1234"),
    ("123", "***"),
    ("", ""),
])
def test_mask_phone(raw, shown):
    assert masking.mask_phone(raw) == shown


@pytest.mark.parametrize("raw, shown", [
    ("11010519491231002X", "110***********002X"),
    ("E12345678", "E12**5678"),
    ("G1234", "G****"),
    ("", ""),
])
def test_mask_id(raw, shown):
    assert masking.mask_id(raw) == shown


def test_identity_checks():
    assert identity.valid_phone("138 1234 5678")
    assert identity.valid_phone("0755-86001234")
    assert not identity.valid_phone("12345678901")  # mobiles start 13-19
    assert not identity.valid_phone("abc")
    assert identity.normalize_phone("138-1234-5678") == "13812345678"
    assert identity.valid_id_number("11010519491231002X")
    assert not identity.valid_id_number("110105194912310021")  # wrong check digit
    assert identity.valid_id_number("E12345678")  # passport: no checksum to verify
    assert identity.valid_plate("粤b·12345") and identity.normalize_plate("粤b·12345") == "粤B12345"
    assert identity.valid_plate("粤BD12345")  # new-energy plate
    assert not identity.valid_plate("B12345")


# ---- search keys -------------------------------------------------------------------------------

def test_pinyin_keys_and_phone_tail():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("华润便利店") == ("huarunbianlidian", "hrbld")
    assert pinyin_keys("Tom 李") == ("tomli", "tl")
    assert phone_tail("138-1234-5678") == "5678"
    assert phone_tail("12") == ""


def test_query_classification():
    assert Query("5678").digits == "5678"
    assert Query(" ZS ").latin == "zs"
    assert Query("张").has_cjk and not Query("张").latin
    assert not Query("   ")


def test_customer_search_keys_follow_every_save(database):
    customer = Customer(name="李四", phone="13912345678")
    customer.save()
    stored = Customer.get_by_id(customer.id)
    assert (stored.name_pinyin, stored.name_initials, stored.phone_tail) == ("lisi", "ls", "5678")
    stored.name, stored.phone = "王五", "13700001111"
    stored.save()
    again = Customer.get_by_id(customer.id)
    assert (again.name_initials, again.phone_tail) == ("ww", "1111")


def test_matching_lists_exact_keys_newest_first_then_longer_ones(database):
    """Header search by initials: 张三 (zs) matches exactly and comes first, newest first;
    then the names whose initials only start with zs, closest first."""
    from services.search import matching, starts
    for name in ["张三", "周思思", "张三", "张珊", "朱顺", "张三丰"]:
        Customer.create(name=name, phone="13900000000")
    base = Customer.select
    found = matching(base, [starts(Customer.name_initials, "zs")], 8, lambda row: row)
    assert [(c.name, c.name_initials) for c in found] == [
        ("朱顺", "zs"), ("张珊", "zs"), ("张三", "zs"), ("张三", "zs"),
        ("张三丰", "zsf"), ("周思思", "zss")]
    assert [c.id for c in found[:4]] == sorted((c.id for c in found[:4]), reverse=True)
    assert [c.name for c in matching(base, [starts(Customer.name_initials, "zs")], 2,
                                     lambda row: row)] == ["朱顺", "张珊"]


def test_a_search_reads_every_module_in_one_round_trip(database):
    """The search box asks every module: on PostgreSQL all their queries go together, one
    round trip; on SQLite each module stops reading once it has its limit. The hits are the
    same as each module's own search gives."""
    from blueprints.archives.service import search_customers
    from blueprints.vip.service import search_cards
    from services.search import search
    from tests.conftest import TEST_PG, round_trips
    customers = [Customer.create(name="王小明", phone=f"1390000{n:04d}",
                                 room="2319" if n == 0 else "") for n in range(3)]
    VipCard.create(number="VIP2319", customer=customers[0], name="王小明", phone="13900002319",
                   issued_on=datetime.date(2026, 1, 1), expires_on=datetime.date(2027, 1, 1))
    with round_trips() as trips:
        hits = search("2319", limit=1)
    assert [(hit.kind, hit.label) for hit in hits] == [("customer", "王小明"),
                                                      ("vip", "VIP2319 王小明")]
    # SQLite: five modules, one query each (the customers' room number found one, so their
    # phone tails were not read).
    assert trips.count == (1 if TEST_PG else 5)
    assert [hit.id for hit in search_customers(Query("2319"), 1)] == [hits[0].id]
    assert [hit.id for hit in search_cards(Query("2319"), 1)] == [hits[1].id]


def test_search_sections_keep_their_order_whichever_module_registers_first(monkeypatch):
    """The search page lists its sections in SECTIONS' order, not the order the modules were
    imported in (a run that imported VIP first once listed card hits above customers)."""
    from services import search as search_service
    from services.search import SECTIONS, Hit, register, search
    monkeypatch.setattr(search_service, "PROVIDERS", {})
    monkeypatch.setattr(search_service, "KINDS", {})
    for kind in reversed(SECTIONS):
        register(lambda query, limit, kind=kind: [Hit(kind, query.raw, "", "core.index", 1)],
                 kind, kind)
    assert [hit.kind for hit in search("王")] == list(SECTIONS)
    with pytest.raises(ValueError):
        register(lambda query, limit: [], "parcel", "parcel")


def test_every_search_key_is_read_along_an_index_in_the_order_shown(database):
    """A search lists hits by key and newest first; each key's index holds them in that order,
    so the database reads only the hits it returns and sorts nothing (PostgreSQL read 9,824
    visits named 王… to list eight when the index held the key alone; SQLite's indexes end
    with the row id, so there it is the index that counts)."""
    from functools import partial

    from blueprints.archives.service import _customer_hits
    from blueprints.complaints.service import _complaint_hits
    from blueprints.reception.service import _visit_hits
    from blueprints.vip.service import _card_hits
    from models import Complaint, VipCard, Visit, db, is_postgres
    from services.search import _is, _keyed, _within
    keys = [(_customer_hits, Customer, ("name", "name_initials", "name_pinyin", "phone",
                                        "phone_tail", "room", "plate", "building")),
            (_visit_hits, Visit, ("name", "name_initials", "phone", "phone_tail", "plate")),
            (_complaint_hits, Complaint, ("complainant", "name_initials", "phone",
                                          "phone_tail")),
            (_card_hits, VipCard, ("name", "name_initials", "phone", "phone_tail"))]
    if is_postgres():  # tiny test tables: make the planner show what the indexes allow
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            db.execute_sql(f"SET {setting} = off")
    explain = "EXPLAIN " if is_postgres() else "EXPLAIN QUERY PLAN "
    for base, model, names in keys:
        for name in names:
            field = getattr(model, name)
            for condition, values in ((_is, ("王",)), (_within, ("王", "王\uffff"))):
                sql, params = partial(_keyed, base, field, condition, 8)(*values).sql()
                plan = " | ".join(str(row[-1]) for row in db.execute_sql(
                    explain + sql, params).fetchall())
                assert f"{model._meta.table_name}_{name}_" in plan, (name, plan)
                if condition is _is:
                    assert "Sort" not in plan and "TEMP B-TREE" not in plan, (name, plan)


def test_a_serving_app_is_left_out_of_garbage_collections(tmp_path):
    """An app made to serve freezes what it is made of (gc.freeze): a full collection then
    walks only what requests make, not every module and template with the worker stopped.
    A test's app does not (each test makes one; frozen objects are never freed)."""
    import gc

    from tests.conftest import make_app
    assert gc.get_freeze_count() == 0
    make_app(tmp_path)
    assert gc.get_freeze_count() == 0
    try:
        make_app(tmp_path, TESTING=False)
        assert gc.get_freeze_count() > 100_000
        assert len(gc.get_objects(generation=2)) < gc.get_freeze_count() / 10
    finally:
        gc.unfreeze()
        db.close()


def test_who_is_due_for_contact_is_counted_from_an_index_alone(database):
    """The home page counts customers due for contact, everyone's and an owner's, each tier up
    to the tile's cap, along an index over live customers that holds every column it needs:
    PostgreSQL scanned some 2,000 rows of the table a tier to find 100 without it."""
    from blueprints.archives.ownership import _due, _due_to_owner
    from models import is_postgres
    cutoff = datetime.datetime(2026, 11, 1)
    if is_postgres():  # tiny test tables: make the planner show what the indexes allow
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            db.execute_sql(f"SET {setting} = off")
    explain = "EXPLAIN " if is_postgres() else "EXPLAIN QUERY PLAN "
    for prepared, params, index in (
            # (on tiny tables PostgreSQL may read everyone's along the owner's index: both hold
            # what the count needs, so it is the index's kind that counts)
            (_due(100), ("key", cutoff), "customer_live_"),
            (_due_to_owner(100), (2, "key", cutoff), "customer_live_owner_id_tier_contacted_at")):
        sql, bound = prepared.statement(params)
        plan = " | ".join(str(row[-1]) for row in db.execute_sql(explain + sql, bound).fetchall())
        assert index in plan, plan
        # PostgreSQL never reads the table; SQLite's index ends with the row id anyway.
        assert "Index Only Scan" in plan or not is_postgres(), plan


@pytest.mark.postgres_only
def test_postgresql_plans_a_days_register_once(app, database):
    """The day's bounds are written into the SQL (models.base.moment_literal), as is every
    LIMIT. Bound, they left PostgreSQL to weigh one plan for every day against plans for the
    day: here it planned the register five times before choosing, and on the bench's data it
    planned it on every request. With nothing bound, the prepared register is planned once."""
    from blueprints.helpers import keyset_query
    from blueprints.reception import service
    from blueprints.reception.routes import PAGE
    from models import Visit
    Visit.create(serial="FK-1", name="访客", arrived_at=datetime.datetime(2026, 1, 1, 8))
    columns = [c.name for c in db.get_columns("visit") if c.name not in ("id", "serial",
                                                                          "arrived_at")]
    listed = ", ".join(f'"{name}"' for name in columns)
    # Some 50,000 visitors over two months, 860 a day, as on the bench's small set.
    db.execute_sql(f'INSERT INTO visit ({listed}, serial, arrived_at) SELECT {listed}, '
                   f"'FK-' || n, arrived_at + n * INTERVAL '100 seconds' "
                   f"FROM visit, generate_series(2, 50000) AS n")
    db.execute_sql("ANALYZE visit")
    with app.test_request_context("/reception/"):
        for _ in range(12):
            rows = list(keyset_query(service.register_visits(datetime.date(2026, 2, 3)),
                                     Visit, PAGE, order=Visit.arrived_at))
            assert len(rows) == PAGE + 1
        plans = db.execute_sql(  # (before the request's end closes the connection)
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement "
            "LIKE %s", ('%FROM "visit"%ORDER BY "t1"."arrived_at" DESC%',)).fetchall()
    # psycopg prepares it at the sixth read; each later read uses the one plan.
    assert plans == [(7, 0)]


def test_every_limit_the_app_writes_is_a_literal(database):
    """The rule the test above shows on PostgreSQL, held in every query of the app's code."""
    import pathlib
    import re
    root = pathlib.Path(__file__).resolve().parent.parent
    files = [root / "app.py", root / "commands.py"] + [
        path for folder in ("blueprints", "models", "services") for path in
        sorted((root / folder).rglob("*.py"))]
    bound = [f"{path.relative_to(root)}:{number}" for path in files
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"(?<!limiter)\.limit\((?!literal\()", line)]
    assert bound == []
    assert "LIMIT 51" in str(Customer.select().limit(literal(51)).sql()[0])


def test_only_a_moment_is_written_into_the_sql(database):
    """moment_literal writes a datetime's stored text; anything else is refused, not quoted."""
    from models import Visit
    from models.base import moment_literal
    sql, params = Visit.select().where(
        Visit.arrived_at >= moment_literal(Visit.arrived_at, datetime.datetime(2026, 3, 1))).sql()
    assert "'2026-02-28 16:00:00'" in sql and params == []  # (midnight in Beijing, in UTC)
    for strange in ("2026-03-01' OR '1'='1", datetime.date(2026, 3, 1), 20260301):
        with pytest.raises(TypeError):
            moment_literal(Visit.arrived_at, strange)
