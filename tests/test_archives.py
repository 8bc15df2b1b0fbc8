"""The customer hub: create, validate, duplicates, search, list, reveal, void and restore."""
import json

from bs4 import BeautifulSoup

from models import AccessLog, AuditEntry, Customer, EmergencyContact, TimelineEntry

GOOD = {"kind": "resident", "name": "张三", "phone": "138 1234 5678", "status": "cooperating",
        "building": "3栋", "unit": "2单元", "room": "1201", "plate": "粤b12345",
        "id_number": "11010519491231002X"}


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_create_customer_saves_normalised_rows_audit_and_timeline(login, database, users):
    sales = login("sales")
    response = sales.submit("/archives/new", GOOD)
    assert response.status_code == 302
    customer = Customer.get(Customer.name == "张三")
    assert response.location == f"/archives/{customer.id}"
    assert (customer.phone, customer.plate, customer.name_initials) == ("13812345678", "粤B12345",
                                                                        "zs")
    audit = AuditEntry.get(AuditEntry.model == "Customer", AuditEntry.record_id == customer.id)
    assert audit.action == "create" and audit.user_id == users["sales"].id
    assert json.loads(audit.after)["name"] == "张三"
    entry = TimelineEntry.get(TimelineEntry.customer == customer)
    assert entry.kind == "archive" and "3栋-2单元-1201" in entry.summary


def test_invalid_form_shows_messages_and_saves_nothing(login, database):
    sales = login("sales")
    response = sales.submit("/archives/new", dict(GOOD, name="", phone="12345678901", plate="B1",
                                                  id_number="110105194912310021",
                                                  email="not-an-email"))
    assert response.status_code == 422
    page = soup(response)
    assert "请输入名称或姓名" in page.find(id="name-errors").text
    assert "电话号码格式不正确" in page.find(id="phone-errors").text
    assert "车牌格式不正确" in page.find(id="plate-errors").text
    assert "校验码" in page.find(id="id_number-errors").text
    assert "邮箱格式不正确" in page.find(id="email-errors").text
    # What was typed stays in the form.
    assert page.find(id="plate")["value"] == "B1"
    assert Customer.select().count() == 0


def test_duplicate_phone_warns_with_owner_then_registers_when_confirmed(login, database, users,
                                                                        make_customer):
    first = make_customer(name="李四", phone="13812345678", owner=users["sales"])
    desk = login("desk")
    warned = desk.submit("/archives/new", GOOD)
    assert warned.status_code == 422
    text = soup(warned).find(id="phone-errors").text
    assert "李四" in text and "销售甲" in text
    assert Customer.select().count() == 1
    confirmed = desk.submit("/archives/new", dict(GOOD, confirm_duplicate="y"))
    assert confirmed.status_code == 302
    assert Customer.select().where(Customer.phone == "13812345678").count() == 2
    live = desk.get("/archives/duplicates?phone=13812345678")
    assert "李四" in live.get_data(as_text=True) and first.name == "李四"


def test_a_duplicate_is_recorded_and_fined_when_the_follow_up_was_late(login, database, users,
                                                                       make_customer):
    """重卡 (seed 002: 因没有及时回访而造成的重卡,视为浪费客户资源,每卡罚款20元): recorded
    against the first registration and its owner; fined when that owner let the contact
    interval pass."""
    import datetime

    from models.registers import DuplicateCard
    from tests.conftest import FROZEN
    kept = make_customer(name="李四", phone="13812345678", owner=users["sales"], tier="general",
                         contacted_at=FROZEN - datetime.timedelta(days=10))
    desk = login("desk")
    desk.submit("/archives/new", dict(GOOD, confirm_duplicate="y"))
    card = DuplicateCard.get()
    assert (card.customer_id, card.first_owner_id, card.second_by_id) == (
        kept.id, users["sales"].id, users["desk"].id)
    assert (card.late_follow_up, card.fine) == (False, 0)
    kept.contacted_at = FROZEN - datetime.timedelta(days=45)  # general: every 30 days
    kept.save()
    desk.submit("/archives/new", dict(GOOD, name="李四（三）", confirm_duplicate="y"))
    late = DuplicateCard.select().order_by(DuplicateCard.id.desc()).first()
    assert (late.late_follow_up, late.fine) == (True, 20)
    listing = login("manager").get("/registers/duplicate-cards/").get_data(as_text=True)
    assert "罚款 20.00 元" in listing and "不罚" in listing


def test_search_by_initials_pinyin_phone_tail_and_plate(login, make_customer, database):
    zhang = make_customer(name="张三", phone="13812345678", plate="粤B12345")
    make_customer(name="李四", phone="13900001111")
    desk = login("desk")
    for q in ("zs", "ZS", "zhangsan", "zhang", "5678", "13812345678", "张", "粤B1", "粤b12345"):
        names = [a.text for a in soup(desk.get(f"/archives/?q={q}")).select("tbody a")]
        assert names == ["张三"], q
    header = desk.get("/search?q=zs", headers={"HX-Request": "true"})
    assert f'/archives/{zhang.id}' in header.get_data(as_text=True)
    assert "<html" not in header.get_data(as_text=True)  # just the partial
    nothing = desk.get("/archives/?q=wxyz")
    assert "没有符合条件的客户" in nothing.get_data(as_text=True)


def test_list_masks_phones_and_filters(login, make_customer, users, database):
    make_customer(name="甲公司", kind="company", phone="13812345678", owner=users["sales"],
                  tier="key")
    make_customer(name="乙住户", kind="resident", phone="13900001111")
    desk = login("desk")
    page = desk.get("/archives/").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    rows = soup(desk.get("/archives/?kind=company")).select("tbody tr")
    assert len(rows) == 1 and "甲公司" in rows[0].text
    owned = soup(desk.get(f"/archives/?owner={users['sales'].id}")).select("tbody a")
    assert [a.text for a in owned] == ["甲公司"]
    unowned = soup(desk.get("/archives/?owner=none")).select("tbody a")
    assert [a.text for a in unowned] == ["乙住户"]
    keyed = soup(desk.get("/archives/?tier=key")).select("tbody a")
    assert [a.text for a in keyed] == ["甲公司"]


def test_keyset_pagination(login, make_customer, database):
    for n in range(55):
        make_customer(name=f"客户{n:02d}")
    desk = login("desk")
    first = soup(desk.get("/archives/"))
    names = [a.text for a in first.select("tbody a")]
    assert len(names) == 50 and names[0] == "客户54"
    next_link = first.select_one(".pager a")["href"]
    second = [a.text for a in soup(desk.get(next_link)).select("tbody a")]
    assert second == [f"客户{n:02d}" for n in range(4, -1, -1)]


def test_htmx_search_returns_rows_partial_with_vary(login, make_customer, database):
    make_customer(name="张三")
    desk = login("desk")
    partial = desk.get("/archives/?q=zs", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and "张三" in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]
    boosted = desk.get("/archives/?q=zs", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    restore = desk.get("/archives/?q=zs", headers={"HX-Request": "true",
                                                  "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_detail_masks_and_reveal_is_logged_with_reason(login, make_customer, database, users):
    customer = make_customer(phone="13812345678", id_number="11010519491231002X")
    desk = login("desk")
    page = desk.get(f"/archives/{customer.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    assert "110***********002X" in page
    no_reason = desk.submit(f"/archives/{customer.id}/reveal", {"field": "phone", "reason": ""},
                            page=f"/archives/{customer.id}")
    assert no_reason.status_code == 422 and "请填写查看原因" in no_reason.get_data(as_text=True)
    assert AccessLog.select().count() == 0
    shown = desk.submit(f"/archives/{customer.id}/reveal", {"field": "id_number",
                                                            "reason": "办理门禁卡"},
                        page=f"/archives/{customer.id}")
    assert "11010519491231002X" in shown.get_data(as_text=True)
    entry = AccessLog.get()
    assert (entry.action, entry.detail, entry.reason, entry.user_id) == (
        "reveal", "id_number", "办理门禁卡", users["desk"].id)
    assert entry.model == "Customer" and entry.record_id == customer.id


def test_emergency_contacts_add_edit_void(login, make_customer, database):
    customer = make_customer()
    desk = login("desk")
    bad = desk.submit(f"/archives/{customer.id}/contacts/new", {"name": "", "phone": "x"})
    assert bad.status_code == 422 and EmergencyContact.select().count() == 0
    desk.submit(f"/archives/{customer.id}/contacts/new", {"name": "王五", "relation": "配偶",
                                                           "phone": "13700001234"})
    contact = EmergencyContact.get()
    assert contact.customer_id == customer.id and contact.phone == "13700001234"
    page = desk.get(f"/archives/{customer.id}").get_data(as_text=True)
    assert "王五" in page and "137****1234" in page
    desk.submit(f"/archives/{customer.id}/contacts/{contact.id}/edit",
                {"name": "王五", "relation": "兄弟", "phone": "13700001234"})
    assert EmergencyContact.get_by_id(contact.id).relation == "兄弟"
    desk.submit(f"/archives/{customer.id}/contacts/{contact.id}/void", {"reason": "电话停机"},
                page=f"/archives/{customer.id}")
    assert EmergencyContact.get_by_id(contact.id).voided
    assert "王五" not in soup(desk.get(f"/archives/{customer.id}")).find("table").text


def test_void_needs_reason_and_only_managers_restore(login, make_customer, database):
    customer = make_customer(name="待作废")
    desk = login("desk")
    desk.submit(f"/archives/{customer.id}/void", {"reason": ""}, page=f"/archives/{customer.id}")
    assert not Customer.get_by_id(customer.id).voided
    desk.submit(f"/archives/{customer.id}/void", {"reason": "重复建档"},
                page=f"/archives/{customer.id}")
    voided = Customer.get_by_id(customer.id)
    assert voided.voided and voided.void_reason == "重复建档"
    assert "待作废" not in soup(desk.get("/archives/")).find("tbody").text
    assert desk.get("/records/voided").status_code == 403
    token = desk.token("/")
    assert desk.post(f"/records/customer/{customer.id}/restore",
                     data={"csrf_token": token}).status_code == 403
    manager = login("manager")
    assert "待作废" in manager.get("/records/voided").get_data(as_text=True)
    manager.submit(f"/records/customer/{customer.id}/restore", {}, page="/records/voided")
    assert not Customer.get_by_id(customer.id).voided
    actions = [a.action for a in AuditEntry.select().where(AuditEntry.model == "Customer",
                                                           AuditEntry.record_id == customer.id)
               .order_by(AuditEntry.id)]
    assert actions == ["void", "restore"]


def test_edit_records_before_and_after(login, make_customer, database):
    customer = make_customer(name="张三", phone="13812345678")
    sales = login("sales")
    response = sales.submit(f"/archives/{customer.id}/edit", dict(GOOD, name="张三丰",
                                                                  phone="13812345678"))
    assert response.status_code == 302
    entry = AuditEntry.get(AuditEntry.action == "update")
    assert json.loads(entry.before)["name"] == "张三"
    assert json.loads(entry.after)["name"] == "张三丰"
    assert Customer.get_by_id(customer.id).name_initials == "zsf"


def test_unknown_customer_is_404(login):
    assert login("desk").get("/archives/99999").status_code == 404


def test_blacklist_by_manager_warns_reception(login, make_customer, database, users):
    customer = make_customer(name="闹事者", phone="13811112222", plate="粤B66666")
    assert login("desk").submit(f"/archives/{customer.id}/blacklist", {"reason": "x"},
                                page=f"/archives/{customer.id}").status_code == 403
    manager = login("manager")
    manager.submit(f"/archives/{customer.id}/blacklist", {"reason": "多次滋事"},
                   page=f"/archives/{customer.id}")
    stored = Customer.get_by_id(customer.id)
    assert stored.blacklisted and stored.blacklist_reason == "多次滋事"
    assert stored.blacklisted_by_id == users["manager"].id
    listing = soup(login("desk").get("/archives/?q=闹事者"))
    assert "黑名单" in listing.find("tbody").text
    warning = login("desk").get("/reception/visits/lookup?plate=粤B66666").get_data(as_text=True)
    assert "黑名单提醒" in warning and "多次滋事" in warning
    manager.submit(f"/archives/{customer.id}/unblacklist", {}, page=f"/archives/{customer.id}")
    assert not Customer.get_by_id(customer.id).blacklisted


def test_header_search_hits_show_each_kinds_details(app, users, make_customer, database, login):
    """Each provider reads only the columns its hit shows: the hit still carries them all."""
    import datetime

    from blueprints.complaints import service as complaints
    from blueprints.repairs import service as repairs
    from blueprints.vip import service as vip
    from models import Complaint, RepairRequest, VipCard, Visit
    from services import search
    from services import settings as settings_service
    zhang = make_customer(name="张三", phone="13812345678", building="3栋", unit="2",
                          room="1201")
    Visit.create(serial="FK-S-1", name="张三", phone="13812345678", plate="粤B12345",
                 arrived_at=datetime.datetime(2026, 11, 22, 9, 30), host=users["desk"])
    complaints.intake(Complaint(complainant="张三", phone="13812345678", content="x",
                                category="服务质量"), users["desk"])
    repairs.register_request(RepairRequest(location="3栋1201", content="厨房水管漏水",
                                           contact_phone="13812345678"), users["desk"])
    vip.enrol(VipCard(customer=zhang, name="张三", phone="13812345678", handbook_given=True),
              users["desk"],
              settings_service.load())
    with app.test_request_context():
        hits = {hit.kind: hit for hit in search.search("5678")}
        hits.update({hit.kind: hit for hit in search.search("3栋1201")
                     if hit.kind == "work_order"})
    assert hits["customer"].label == "张三"
    assert hits["customer"].detail == "住户 3栋-2-1201 138****5678"
    assert hits["visit"].label == "FK-S-1 张三"
    assert hits["visit"].detail == "2026-11-22 09:30 138****5678 粤B12345"
    assert hits["complaint"].label.endswith(" 张三")
    assert hits["complaint"].detail == "服务质量 · 登记"
    assert hits["work_order"].label.endswith(" 3栋1201")
    assert "厨房水管漏水" in hits["work_order"].detail
    assert hits["vip"].label.endswith(" 张三") and hits["vip"].detail
    # The page links each hit to its record, as url_for would.
    from flask import url_for

    from services.permissions import allowed
    with app.test_request_context():
        expected = [url_for(hit.endpoint, id=hit.id) for hit in search.search("5678")
                    if allowed("manager", hit.endpoint)]
    page = soup(login("manager").get("/search?q=5678", headers={"HX-Request": "true"}))
    assert [a["href"] for a in page.select("a")] == expected
    assert len({link.split("/")[1] for link in expected}) >= 4  # customers, visits, complaints…
