"""Reception routes: the register, sign-out, prints, rotation board, visits, follow-ups, handovers."""
import datetime
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from models import (
    AuditEntry,
    Customer,
    CustomerVisit,
    FollowUp,
    Handover,
    RotationSlot,
    RotationTurn,
    TimelineEntry,
    Visit,
    clock,
)
from tests.conftest import FROZEN, count_queries

NOW = FROZEN


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def visit_data(users, **overrides):
    data = {"name": "访客甲", "phone": "13800001111", "id_type": "id_card", "headcount": "2",
            "purpose": "看房", "arrived_at": NOW.strftime("%Y-%m-%dT%H:%M"),
            "host": str(users["desk"].id), "reception_class": "B", "visitee": "3栋1201"}
    data.update(overrides)
    return data


def test_new_visit_form_defaults(login, users):
    desk = login("desk")
    before = clock.now()
    page = soup(desk.get("/reception/visits/new"))
    after = clock.now()  # (the two differ when the request spans midnight)
    assert page.find(id="arrived_at")["value"][:11] in {f"{before:%Y-%m-%dT}",
                                                        f"{after:%Y-%m-%dT}"}
    assert page.find("input", {"name": "reception_class", "value": "C"}).has_attr("checked")
    assert page.find(id="host").find("option", selected=True)["value"] == str(users["desk"].id)
    assert page.find(id="phone")["inputmode"] == "tel"


def test_register_and_sign_out(login, users, database):
    desk = login("desk")
    response = desk.submit("/reception/visits/new", visit_data(users, plate="粤b12345"))
    assert response.status_code == 302
    visit = Visit.get()
    assert visit.serial == f"FK-{NOW:%Y%m}-0001"
    assert (visit.venue, visit.plate, visit.headcount, visit.host_id) == ("商务室", "粤B12345", 2,
                                                                          users["desk"].id)
    listing = desk.get(f"/reception/?day={NOW:%Y-%m-%d}").get_data(as_text=True)
    assert visit.serial in listing and "138****1111" in listing
    assert "仍在场内：1" in listing
    still_in = soup(desk.get(f"/reception/?day={NOW:%Y-%m-%d}")).select_one(f"tr#visit-{visit.id}")
    assert still_in.select_one("a")["href"] == f"/reception/visits/{visit.id}"
    assert still_in.select("td")[6].get_text(strip=True) == f"{visit.arrived_at:%H:%M}"
    assert still_in.select_one("form")["action"] == f"/reception/visits/{visit.id}/sign-out"
    row = desk.submit(f"/reception/visits/{visit.id}/sign-out", {}, page="/reception/",
                      headers={"HX-Request": "true"})
    assert row.status_code == 200 and "<html" not in row.get_data(as_text=True)
    left_at = Visit.get_by_id(visit.id).left_at
    assert left_at is not None
    cells = [td.get_text(" ", strip=True) for td in soup(row).select(f"tr#visit-{visit.id} td")]
    assert cells[0] == visit.serial and cells[3] == "3栋1201" and cells[-1] == f"{left_at:%H:%M}"
    assert soup(row).select("button") == []  # signed out: no button left to tap
    inside = soup(desk.get(f"/reception/?state=inside&day={NOW:%Y-%m-%d}")).select(
        "tbody tr td a")
    assert inside == []
    assert "仍在场内：0" in desk.get("/reception/").get_data(as_text=True)
    assert AuditEntry.select().where(AuditEntry.model == "Visit").count() == 2


def test_invalid_visit_is_not_saved(login, users, database):
    desk = login("desk")
    response = desk.submit("/reception/visits/new", visit_data(
        users, name="", headcount="0", purpose="", phone="123", plate="XX", arrived_at="昨天"))
    assert response.status_code == 422
    page = soup(response)
    for field, text in (("name", "请输入访客姓名"), ("headcount", "人数应在 1 到 200 之间"),
                        ("purpose", "请填写来访事由"), ("phone", "电话号码格式不正确"),
                        ("plate", "车牌格式不正确")):
        assert text in page.find(id=f"{field}-errors").text, field
    assert page.find(id="arrived_at-errors") is not None
    assert Visit.select().count() == 0


def test_repeat_visitor_prefilled_and_blacklist_warned(login, users, database):
    desk = login("desk")
    desk.submit("/reception/visits/new", visit_data(users, purpose="送快递"))
    first = Visit.get()
    Customer.create(name="黑名单甲", phone="13999999999", plate="粤B66666", blacklisted=True,
                    blacklist_reason="多次滋事")
    hint = desk.get("/reception/visits/lookup?phone=13800001111").get_data(as_text=True)
    assert "回头访客" in hint and f"from={first.id}" in hint
    prefilled = soup(desk.get(f"/reception/visits/new?from={first.id}"))
    assert prefilled.find(id="name")["value"] == "访客甲"
    assert prefilled.find(id="purpose")["value"] == "送快递"
    warned = desk.get("/reception/visits/lookup?plate=粤B66666").get_data(as_text=True)
    assert "黑名单提醒" in warned and "多次滋事" in warned


def test_linked_resident_gets_timeline_entry(login, users, database, make_customer):
    resident = make_customer(name="张三", room="1201", building="3栋")
    desk = login("desk")
    picked = desk.get("/reception/visits/pick?visitee=1201").get_data(as_text=True)
    assert f"id={resident.id}" in picked
    desk.submit("/reception/visits/new", visit_data(users, visitee_customer=str(resident.id)))
    visit = Visit.get()
    assert visit.visitee_customer_id == resident.id
    assert TimelineEntry.get(TimelineEntry.customer == resident).ref_id == visit.id


def test_night_entries_marked_and_filtered(login, users, database):
    desk = login("desk")
    yesterday = NOW - datetime.timedelta(days=1)  # (last night: a visit is never in the future)
    night = yesterday.replace(hour=21, minute=30)
    desk.submit("/reception/visits/new", visit_data(users, name="夜访客",
                                                    arrived_at=night.strftime("%Y-%m-%dT%H:%M")))
    desk.submit("/reception/visits/new", visit_data(users, name="日访客",
                                                    arrived_at=yesterday.replace(hour=10).strftime(
                                                        "%Y-%m-%dT%H:%M")))
    assert Visit.get(Visit.name == "夜访客").night_duty
    assert not Visit.get(Visit.name == "日访客").night_duty
    rows = soup(desk.get(f"/reception/?day={yesterday.date()}&night=1")).select("tbody tr")
    assert len(rows) == 1 and "夜访客" in rows[0].text


def test_daily_sheet_pdf(login, users, database):
    desk = login("desk")
    desk.submit("/reception/visits/new", visit_data(users, name="欧阳修", plate="粤B12345"))
    response = desk.get(f"/reception/visits/print?day={NOW.date()}")
    assert response.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    compact = text.replace(" ", "")
    for expected in ("访客登记表", "欧阳修", "138****1111", "粤B12345", "看房", "共1条",
                     f"FK-{NOW:%Y%m}-0001", "值班人员"):
        assert expected in compact, expected


def test_void_visit(login, users, database):
    desk = login("desk")
    desk.submit("/reception/visits/new", visit_data(users))
    visit = Visit.get()
    desk.submit(f"/reception/visits/{visit.id}/void", {"reason": "重复登记"},
                page=f"/reception/visits/{visit.id}")
    assert Visit.get_by_id(visit.id).voided
    assert visit.serial not in soup(desk.get("/reception/")).find("tbody").text
    # The voided entry offers no sign-out, and a crafted one changes nothing.
    page = soup(desk.get(f"/reception/visits/{visit.id}"))
    assert page.select(f'form[action="/reception/visits/{visit.id}/sign-out"]') == []
    desk.submit(f"/reception/visits/{visit.id}/sign-out", {}, page=f"/reception/visits/{visit.id}")
    assert Visit.get_by_id(visit.id).left_at is None


def test_rotation_board(login, users, database, make_customer):
    manager = login("manager")
    day = clock.today().isoformat()
    for role in ("sales", "desk"):
        manager.submit(f"/reception/rotation/add?day={day}", {"user": str(users[role].id)},
                       page=f"/reception/rotation?day={day}")
    assert [s.user.username for s in RotationSlot.select().order_by(RotationSlot.position)] == [
        "sales", "desk"]
    desk = login("desk")
    assert desk.submit(f"/reception/rotation/add?day={day}", {"user": str(users["gm"].id)},
                       page=f"/reception/rotation?day={day}").status_code == 403
    desk.submit(f"/reception/rotation/receive?day={day}", {"visitor_name": "新客"},
                page=f"/reception/rotation?day={day}")
    owned = make_customer(phone="13812340000", owner=users["desk"])
    desk.submit(f"/reception/rotation/receive?day={day}", {"phone": owned.phone},
                page=f"/reception/rotation?day={day}")
    turns = [(t.user.username, t.kind) for t in RotationTurn.select().order_by(RotationTurn.id)]
    assert turns == [("sales", "walk_in"), ("desk", "returning")]
    board = desk.get(f"/reception/rotation?day={day}").get_data(as_text=True)
    assert "新客轮接" in board and "老客户归属接待" in board
    desk.submit(f"/reception/rotation/status?day={day}", {"user": str(users["desk"].id),
                                                          "status": "absent"},
                page=f"/reception/rotation?day={day}")
    assert RotationSlot.get(RotationSlot.user == users["desk"]).status == "absent"
    pdf = manager.get(f"/reception/rotation/print?day={day}")
    assert pdf.headers["Content-Type"] == "application/pdf"


def test_customer_visit_appointment_record_and_escalation(login, users, database,
                                                          make_customer):
    customer = make_customer(name="赵六")
    manager = login("manager")
    bad = manager.submit(f"/reception/customer-visits/new?customer={customer.id}",
                         {"customer": str(customer.id), "staff": str(users["manager"].id),
                          "planned_at": "", "purpose": ""})
    assert bad.status_code == 422 and CustomerVisit.select().count() == 0
    manager.submit(f"/reception/customer-visits/new?customer={customer.id}", {
        "customer": str(customer.id), "staff": str(users["manager"].id),
        "planned_at": NOW.strftime("%Y-%m-%dT%H:%M"), "place": "业主家中", "purpose": "季度探望"})
    visit = CustomerVisit.get()
    missing_manager = manager.submit(f"/reception/customer-visits/{visit.id}/record", {
        "visited_at": NOW.strftime("%Y-%m-%dT%H:%M"), "opinions": "保安很好",
        "unresolved": "要求加装充电桩", "escalate_to": ""})
    assert missing_manager.status_code == 422
    assert "请选择转交的经理" in missing_manager.get_data(as_text=True)
    manager.submit(f"/reception/customer-visits/{visit.id}/record", {
        "visited_at": NOW.strftime("%Y-%m-%dT%H:%M"), "opinions": "保安很好",
        "unresolved": "要求加装充电桩", "escalate_to": str(users["gm"].id)})
    followup = FollowUp.get()
    assert (followup.assigned_to_id, followup.subject) == (users["gm"].id, "要求加装充电桩")
    detail = soup(manager.get(f"/reception/customer-visits/{visit.id}"))
    convert = detail.find("a", string="转为投诉/建议")["href"]
    form = soup(manager.get(convert))
    assert form.find(id="content").text.strip() == "要求加装充电桩"
    assert form.find(id="category").find("option", selected=True)["value"] == "建议或批评"
    pdf = manager.get(f"/reception/customer-visits/{visit.id}/print")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "会谈内容记录表" in text.replace(" ", "") and "保安很好" in text


def test_a_cancelled_visit_takes_no_record(login, users, database, make_customer):
    """Cancelling hides the record button; a crafted record for the cancelled appointment is
    refused and leaves it cancelled, with no follow-up and no contact counted."""
    customer = make_customer(name="钱七")
    manager = login("manager")
    manager.submit(f"/reception/customer-visits/new?customer={customer.id}", {
        "customer": str(customer.id), "staff": str(users["manager"].id),
        "planned_at": NOW.strftime("%Y-%m-%dT%H:%M"), "purpose": "季度探望"})
    visit = CustomerVisit.get()
    manager.submit(f"/reception/customer-visits/{visit.id}/cancel", {},
                   page=f"/reception/customer-visits/{visit.id}")
    detail = soup(manager.get(f"/reception/customer-visits/{visit.id}"))
    assert detail.find("a", string="填写会谈记录") is None
    assert detail.select(f'form[action="/reception/customer-visits/{visit.id}/cancel"]') == []
    crafted = manager.submit(f"/reception/customer-visits/{visit.id}/record", {
        "visited_at": NOW.strftime("%Y-%m-%dT%H:%M"), "opinions": "假的",
        "unresolved": "要求", "escalate_to": str(users["gm"].id)},
        page=f"/reception/customer-visits/{visit.id}")
    assert crafted.status_code == 302
    stored = CustomerVisit.get_by_id(visit.id)
    assert (stored.state, stored.opinions, stored.visited_at) == ("cancelled", "", None)
    assert FollowUp.select().count() == 0
    assert Customer.get_by_id(customer.id).contacted_at == customer.contacted_at
    shown = manager.get(crafted.location).get_data(as_text=True)
    assert "已取消的拜访不能填写会谈记录" in shown


def test_followup_record_and_report(login, users, database, make_customer):
    customer = make_customer()
    desk = login("desk")
    desk.submit(f"/reception/followups/new?customer={customer.id}", {
        "customer": str(customer.id), "subject": "入住回访",
        "planned_on": clock.today().isoformat(), "method": "phone",
        "assigned_to": str(users["desk"].id)})
    followup = FollowUp.get()
    assert followup.customer_id == customer.id
    listing = desk.get("/reception/followups").get_data(as_text=True)
    assert "入住回访" in listing
    bad = desk.submit(f"/reception/followups/{followup.id}/record", {"method": "phone",
                                                                     "outcome": ""})
    assert bad.status_code == 422 and "请选择满意度" in bad.get_data(as_text=True)
    desk.submit(f"/reception/followups/{followup.id}/record", {
        "method": "sms", "outcome": "满意", "satisfaction": "4"})
    stored = FollowUp.get_by_id(followup.id)
    assert (stored.satisfaction, stored.method) == (4, "sms")
    assert stored.report_due == clock.today() + datetime.timedelta(days=1)
    desk.submit(f"/reception/followups/{followup.id}/report", {"report": "已回访，无遗留问题"},
                page=f"/reception/followups/{followup.id}")
    filed = FollowUp.get_by_id(followup.id)
    assert filed.reported_at is not None
    # A filed report stands: a second one is refused and the first is kept as it was.
    again = desk.submit(f"/reception/followups/{followup.id}/report", {"report": "改写"},
                        page=f"/reception/followups/{followup.id}")
    assert again.status_code == 409
    assert (FollowUp.get_by_id(followup.id).report,
            FollowUp.get_by_id(followup.id).reported_at) == ("已回访，无遗留问题", filed.reported_at)
    # 客户回访记录表 and the month's 客户回访报告表 print (issue 25)
    form = PdfReader(io.BytesIO(desk.get(f"/reception/followups/{followup.id}/print").data))
    text = form.pages[0].extract_text()
    assert "客户回访记录表" in text and "入住回访" in text and "已回访，无遗留问题" in text
    report = PdfReader(io.BytesIO(desk.get("/reception/followups/report").data))
    text = report.pages[0].extract_text()
    assert "客户回访报告表" in text and customer.name in text
    assert "回访次数：1" in text and "满意率（4 分及以上）：100.0%" in text


def test_handover_acknowledged_by_the_next_shift(login, users, database):
    desk = login("desk")
    empty = desk.submit("/reception/handovers/new", {"shift": "night", "items": "",
                                                      "prospects": ""})
    assert empty.status_code == 422 and Handover.select().count() == 0
    desk.submit("/reception/handovers/new", {"shift": "night", "items": "3栋电梯报修待跟进",
                                              "prospects": "王先生 下午回电"})
    handover = Handover.get()
    desk.submit(f"/reception/handovers/{handover.id}/acknowledge", {},
                page="/reception/handovers")
    assert Handover.get_by_id(handover.id).acknowledged_at is None  # not by its author
    sales = login("sales")
    home = sales.get("/").get_data(as_text=True)
    assert "3栋电梯报修待跟进" in home  # shown at login
    sales.submit(f"/reception/handovers/{handover.id}/acknowledge", {},
                 page="/reception/handovers")
    assert Handover.get_by_id(handover.id).acknowledged_by_id == users["sales"].id


def test_register_reads_the_same_number_of_queries_for_any_number_of_rows(login, users,
                                                                          database,
                                                                          make_customer):
    """Host, linked customer and visited staff come with the rows, not one query per row."""
    def register_queries(visits):
        now = clock.now().replace(second=0)
        for n in range(visits):
            Visit.create(serial=f"FK-T-{visits}-{n}", name=f"访客{n}", arrived_at=now,
                         host=users["desk"], visitee_staff=users["sales"],
                         customer=make_customer(name=f"业主{visits}-{n}", blacklisted=n == 0))
        desk.get("/reception/")  # warm: the session, settings
        with count_queries() as queries:
            page = desk.get("/reception/").get_data(as_text=True)
        assert '<span class="badge bad">黑名单</span>' in page  # the joined customer's flag
        assert f'<td data-label="被访">{users["sales"].display_name}</td>' in page  # and staff
        return queries.count

    desk = login("desk")
    few = register_queries(2)
    many = register_queries(12)
    assert few == many, (few, many)
    assert few > 0


def test_register_pages_through_a_busy_day_in_arrival_order(login, users, database):
    """Fifty rows a page, newest arrival first; ties in arrival time are ordered by entry and
    no visit is shown twice or skipped, however the pages fall."""
    day = clock.today()
    start = datetime.datetime.combine(day, datetime.time(8))
    for n in range(57):
        # Three visitors arrive together every minute; entered out of order (back-entry).
        arrived = start + datetime.timedelta(minutes=(n * 7 % 19))
        Visit.create(serial=f"FK-P-{n:02d}", name=f"访客{n}", arrived_at=arrived,
                     host=users["desk"], visitee_staff=users["sales"], plate="沪A12345")
    desk = login("desk")
    seen, url, pages = [], f"/reception/?day={day.isoformat()}", 0
    while url:
        page = soup(desk.get(url))
        rows = page.select("tbody tr[id^=visit-]")
        seen += [row.find("a").get_text(strip=True) for row in rows]
        pages += 1
        if pages == 1:
            assert len(rows) == 50
            # The row shows what the narrowed query read: the visited staff and the plate.
            assert users["sales"].display_name in rows[0].get_text()
            assert "沪A12345" in rows[0].get_text()
        link = page.select_one("p.pager a")
        url = link["href"] if link else None
    assert pages == 2
    assert sorted(seen) == sorted(f"FK-P-{n:02d}" for n in range(57))  # each once
    expected = [v.serial for v in Visit.select().order_by(Visit.arrived_at.desc(),
                                                          Visit.id.desc())]
    assert seen == expected


def test_no_empty_warning_bar_on_the_visitor_form(login, users, database):
    """Issue 22: the lookup bar showed as an empty orange box. Empty, it holds nothing at all
    (so `.warning:empty` hides it), on the form and after a lookup that finds nothing."""
    desk = login("desk")
    bar = soup(desk.get("/reception/visits/new")).select_one("#lookup")
    assert bar is not None and bar.decode_contents() == ""
    assert desk.get("/reception/visits/lookup?phone=13700000000").get_data(as_text=True) == ""


def test_the_sales_floor_register_is_the_sales_heads(login, users, database):
    """Seed 000 房产项目案场客户及房源管理制度: 现场客户来访登记表将实施绝对保密制度,由销售主管
    单独保管 — a salesperson sees only the receptions they took; the head sees them all."""
    from blueprints.reception import service
    from services import accounts
    other = accounts.create_user("sales2", "销售乙", "sales", "secret-pass-1")
    day = NOW.date()
    for user in (users["sales"], other):
        service.add_to_rotation(day, user)
    first = service.receive(day, users["desk"], visitor_name="王先生")
    second = service.receive(day, users["desk"], visitor_name="赵女士")
    assert {first.user_id, second.user_id} == {users["sales"].id, other.id}
    mine, theirs = (first, second) if first.user_id == users["sales"].id else (second, first)
    sales = login("sales")
    for page in (f"/reception/rotation?day={day}", f"/reception/rotation/history?start={day}"
                 f"&end={day}"):
        text = sales.get(page).get_data(as_text=True)
        assert mine.visitor_name in text and theirs.visitor_name not in text, page
    head = login("manager").get(f"/reception/rotation/history?start={day}&end={day}")
    assert all(t.visitor_name in head.get_data(as_text=True) for t in (first, second))
