"""Issue 20: the site's clock, whatever the server's timezone; holidays for every year."""
import datetime
import re
import time

import pytest
from bs4 import BeautifulSoup

from blueprints.complaints import service as complaints
from models import Complaint, Holiday, Visit, clock, db, is_sqlite
from tests.conftest import PASSWORD

D = datetime.datetime
BEIJING = clock.ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=["UTC", "America/New_York"])
def server_tz(request, monkeypatch):
    """The server's own zone (TZ), which the app must not take for the office's."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def _stored(table, column, row_id):
    """The value as the database holds it (no conversion by the model's field)."""
    marker = "?" if is_sqlite() else "%s"
    return db.execute_sql(f'SELECT "{column}" FROM "{table}" WHERE id = {marker}',
                          (row_id,)).fetchone()[0]


def test_a_visit_at_2130_beijing_is_night_duty(server_tz, login, users, database):
    with clock.frozen(D(2026, 11, 20, 21, 30, tzinfo=BEIJING)):
        desk = login("desk")
        page = desk.get("/reception/visits/new").get_data(as_text=True)
        arrived = BeautifulSoup(page, "html.parser").select_one("#arrived_at")["value"]
        assert arrived.startswith("2026-11-20T21:30"), (server_tz, arrived)
        response = desk.submit("/reception/visits/new", {
            "name": "夜访客", "purpose": "送货", "headcount": "1", "id_type": "id_card",
            "arrived_at": arrived, "host": str(users["desk"].id), "reception_class": "C"})
        assert response.status_code == 302
        visit = Visit.get(Visit.name == "夜访客")
        assert visit.night_duty and visit.arrived_at == D(2026, 11, 20, 21, 30)
        # Stored unambiguously, in UTC.
        assert str(_stored("visit", "arrived_at", visit.id)).startswith("2026-11-20 13:30")
        row = desk.get("/reception/?day=2026-11-20").get_data(as_text=True)
        assert "21:30" in row and "夜班" in row


def test_a_complaint_at_0030_on_the_first_takes_the_new_month(server_tz, login, users,
                                                               database):
    with clock.frozen(D(2026, 12, 1, 0, 30, tzinfo=BEIJING)):
        desk = login("desk")
        page = desk.get("/complaints/new").get_data(as_text=True)
        received = BeautifulSoup(page, "html.parser").select_one("#received_at")["value"]
        assert received.startswith("2026-12-01T00:30")
        desk.submit("/complaints/new", {
            "received_at": received, "channel": "phone", "complainant": "零点投诉",
            "severity": "general", "category": "服务质量", "region": "in_province",
            "content": "跨月"})
        complaint = Complaint.get(Complaint.complainant == "零点投诉")
        assert complaint.serial == "KS-202612-0001"
        assert complaint.onsite_due == D(2026, 12, 2, 0, 30)  # 24 clock hours
        assert complaint.closure_due == D(2026, 12, 16, 0, 30)  # 15 days


def test_deadlines_and_printed_times_are_the_sites(server_tz, login, users, database):
    with clock.frozen(D(2027, 2, 4, 16, 0, tzinfo=BEIJING)):
        complaint = complaints.intake(Complaint(
            received_at=clock.now(), complainant="春节前", content="x", category="服务质量",
            region="in_province"), users["desk"])
        complaints.apply(complaint, "classify", users["manager"], nature="n", cause_kind="quality",
                         responsible_dept="客服部")
        assert Complaint.get_by_id(complaint.id).proposal_due == D(2027, 2, 9, 16, 0)
        manager = login("manager")
        pdf = manager.get(f"/complaints/{complaint.id}/print")
        assert pdf.status_code == 200
        from io import BytesIO

        from pypdf import PdfReader
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.get_data())).pages)
        assert "2027-02-04 16:00" in text


def test_changing_the_sites_zone_keeps_every_moment(login, users, database):
    """Stored in UTC: a site that moves its zone reads the same moments in the new zone."""
    from services import settings as settings_service
    with clock.frozen(D(2026, 11, 20, 21, 30, tzinfo=BEIJING)):
        visit = Visit.create(serial="FK-X-1", name="访客", arrived_at=clock.now(),
                             host=users["desk"])
        settings_service.store({"site_timezone": "Asia/Urumqi"})  # UTC+6
        settings_service.load()
        assert Visit.get_by_id(visit.id).arrived_at == D(2026, 11, 20, 19, 30)
        assert clock.now() == D(2026, 11, 20, 19, 30)
    settings_service.store({"site_timezone": "Asia/Shanghai"})
    settings_service.load()
    assert Visit.get_by_id(visit.id).arrived_at == D(2026, 11, 20, 21, 30)


@pytest.mark.sqlite_only  # (the PostgreSQL run starts each test from an empty schema)
def test_the_upgrade_converts_rows_written_in_the_servers_local_time(tmp_path, monkeypatch):
    """Rows written by the old code held the server's local time; step 8 makes them UTC."""
    from models import schema
    from models.schema import SchemaInfo
    from tests.conftest import make_app
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        app = make_app(tmp_path)
        with app.app_context(), db.connection_context():
            schema.upgrade()
            from services import accounts
            user = accounts.create_user("desk", "前台", "desk", PASSWORD)
            db.execute_sql("INSERT INTO visit (created_at, updated_at, serial, name, id_type, "
                           "id_number, phone, headcount, visitee, purpose, reception_class, "
                           "venue, arrived_at, host_id, night_duty, notes, name_initials, "
                           "phone_tail, plate, voided) VALUES ('2026-11-20 21:30:00', "
                           "'2026-11-20 21:30:00', 'FK-OLD-1', '旧', 'id_card', '', '', 1, '', "
                           "'', 'C', '', '2026-11-20 21:30:00', ?, 1, '', '', '', '', 0)",
                           (user.id,))
            SchemaInfo.update(version=7).execute()
            schema.upgrade()
            assert str(_stored("visit", "arrived_at", 1)) == "2026-11-20 13:30:00"
            assert Visit.get(Visit.serial == "FK-OLD-1").arrived_at == D(2026, 11, 20, 21, 30)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_holidays_page_enters_the_schedule_and_moves_open_deadlines(login, users,
                                                                       database):
    admin = login("admin")
    page = admin.get("/admin/holidays?year=2027").get_data(as_text=True)
    assert "按法定规则推算" in page and "2027-02-05" in page and "尚未收录" in page
    with clock.frozen(D(2027, 2, 5, 9, 0)):
        admin = login("admin")  # (a session from November would have ended by now)
        # Friday the 5th entered as a working day: a deadline not yet passed moves back.
        complaint = complaints.intake(Complaint(
            received_at=D(2027, 2, 4, 16, 0), complainant="期限", content="x",
            category="服务质量", region="in_province"), users["desk"])
        complaints.apply(complaint, "classify", users["manager"], at=D(2027, 2, 4, 16, 0),
                         nature="n", cause_kind="quality", responsible_dept="客服部")
        assert Complaint.get_by_id(complaint.id).proposal_due == D(2027, 2, 9, 16, 0)
        response = admin.submit("/admin/holidays?year=2027", {
            "day": "2027-02-05", "workday": "1", "name": "调休", "source": "国办发明电〔2026〕1号"})
        assert response.status_code == 302
        assert Complaint.get_by_id(complaint.id).proposal_due == D(2027, 2, 5, 16, 0)
    assert Holiday.get(Holiday.day == datetime.date(2027, 2, 5)).workday
    page = admin.get("/admin/holidays?year=2027").get_data(as_text=True)
    assert "管理员登记" in page and "国办发明电〔2026〕1号" in page
    refused = admin.submit("/admin/holidays?year=2027", {"day": "2027-02-06", "workday": "0",
                                                         "name": "", "source": ""})
    assert refused.status_code == 422 and Holiday.select().count() == 1
    assert login("manager").get("/admin/holidays").status_code == 403


def test_from_december_the_home_page_asks_for_next_years_schedule(login, users, database):
    with clock.frozen(D(2026, 11, 30, 10, 0)):
        assert "尚未登记" not in login("manager").get("/").get_data(as_text=True)
    with clock.frozen(D(2026, 12, 1, 9, 0)):
        manager, admin, desk = login("manager"), login("admin"), login("desk")
        assert "2027 年的放假调休安排尚未登记" in manager.get("/").get_data(as_text=True)
        home = admin.get("/").get_data(as_text=True)
        assert "2027 年的放假调休安排尚未登记" in home and "/admin/holidays?year=2027" in home
        assert "尚未登记" not in desk.get("/").get_data(as_text=True)
        admin.submit("/admin/holidays?year=2027", {"day": "2027-02-13", "workday": "1",
                                                    "name": "春节调休", "source": "国办"})
        assert "尚未登记" not in manager.get("/").get_data(as_text=True)


def test_no_module_reads_the_servers_clock():
    """Every "now" of the app comes from models.clock (tests set it; the server's TZ and wall
    clock are never the office's)."""
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent
    offenders = []
    for folder in ("app.py", "commands.py", "blueprints", "models", "services", "templates"):
        for path in ([root / folder] if folder.endswith(".py") else
                     (root / folder).rglob("*.*")):
            if path.name == "clock.py" or path.suffix not in (".py", ".html"):
                continue
            text = path.read_text()
            for pattern in (r"datetime\.now\(\)", r"date\.today\(\)", r"datetime\.datetime\.now\b",
                            r"\btime\.time\(\)", r"CURRENT_TIMESTAMP|NOW\(\)"):
                if re.search(pattern, text):
                    offenders.append(f"{path.relative_to(root)}: {pattern}")
    # (A backup's file name is stamped with the server's time, to the microsecond.)
    assert {o.split(":")[0] for o in offenders} <= {"models/backup.py"}


def test_nothing_that_happened_is_dated_in_the_future(login, users, database):
    """A repair request received in five hours showed '已等待 -5 小时'. Every form that records
    something that happened refuses a moment past now (beyond five minutes of clock skew)."""
    from models import RepairRequest
    desk = login("desk")
    later = (clock.now() + datetime.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    skew = (clock.now() + datetime.timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M")
    tomorrow = (clock.today() + datetime.timedelta(days=1)).isoformat()
    forms = [
        ("/repairs/new", {"received_at": later, "contact_phone": "13800000000",
                          "location": "3栋", "area": "unit", "content": "漏水",
                          "channel": "phone"}, "received_at", RepairRequest),
        ("/complaints/new", {"received_at": later, "channel": "phone", "complainant": "甲",
                             "severity": "general", "category": "服务质量",
                             "region": "in_province", "content": "x"}, "received_at",
         Complaint),
        ("/reception/visits/new", {"name": "访客", "purpose": "来访", "headcount": "1",
                                   "id_type": "id_card", "arrived_at": later,
                                   "host": str(users["desk"].id), "reception_class": "C"},
         "arrived_at", Visit),
        ("/vip/enrol", {"name": "会员", "phone": "13900001111", "birthday": tomorrow,
                        "handbook_given": "y"}, "birthday", None),
        ("/archives/new", {"kind": "company", "name": "公司", "phone": "13700001111",
                           "status": "cooperating", "contract_date": tomorrow},
         "contract_date", None),
    ]
    for url, data, field, model in forms:
        response = desk.submit(url, data)
        assert response.status_code == 422, url
        errors = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
            f"#{field}-errors")
        assert errors and "不能晚于现在" in errors.text, url
        if model is not None:
            assert model.select().count() == 0, url
    ok = desk.submit("/repairs/new", dict(forms[0][1], received_at=skew))
    assert ok.status_code == 302  # a tablet a few minutes ahead is fine


def test_a_days_register_runs_from_the_sites_midnight_to_the_next(server_tz, login, users,
                                                                  database):
    """The register's day is the site's, written into its SQL as the stored (UTC) bounds."""
    from blueprints.reception import service
    for serial, arrived in (("FK-A", D(2026, 11, 19, 23, 50)), ("FK-B", D(2026, 11, 20, 0, 10)),
                            ("FK-C", D(2026, 11, 20, 23, 50)), ("FK-D", D(2026, 11, 21, 0, 10))):
        Visit.create(serial=serial, name="访客", arrived_at=arrived)
    query = service.register_visits(datetime.date(2026, 11, 20))
    sql, params = query.sql()
    assert "'2026-11-19 16:00:00'" in sql and "'2026-11-20 16:00:00'" in sql
    assert not any(isinstance(p, datetime.datetime) for p in params)
    assert [visit.serial for visit in query] == ["FK-C", "FK-B"]
    page = login("desk").get("/reception/?day=2026-11-20").get_data(as_text=True)
    assert "FK-C" in page and "FK-B" in page and "FK-A" not in page and "FK-D" not in page
