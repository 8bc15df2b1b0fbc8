"""Archive rules: uploads, completeness, grading, contact intervals, lapses, redistribution."""
import datetime

import pytest

from blueprints.archives import documents, grading, ownership
from models import (
    Customer,
    EmergencyContact,
    FollowUp,
    OwnershipChange,
    StoredFile,
    User,
    Visit,
)
from services import accounts
from services import settings as settings_service

D = datetime.datetime
PDF = b"%PDF-1.4\n%test\n"


# ---- uploads ------------------------------------------------------------------------------------

def test_upload_checks_content_size_and_name(users, database, make_customer, tmp_path):
    customer = make_customer()
    def store(name, data, limit=1024):
        return documents.store(customer, "credit", "合同", name, data, limit, users["sales"])
    with pytest.raises(documents.UploadError, match="只能上传"):
        store("contract.pdf", b"MZ\x90\x00 an exe renamed")
    with pytest.raises(documents.UploadError, match="MB"):
        store("big.pdf", PDF + b"0" * 2048)
    with pytest.raises(documents.UploadError, match="只能上传"):
        store("archive.zip", b"PK\x03\x04 not office")
    document = store("../../x", PDF)
    assert document.filename == "x" and document.content_type == "application/pdf"
    # Kept in the database (any app server serves it), nothing on disk; refusals kept nothing.
    assert [(f.key, bytes(f.data)) for f in StoredFile.select()] == [
        (f"documents/{document.stored_as}", PDF)]
    assert not list(tmp_path.rglob("*.pdf"))
    assert ".." not in document.stored_as and "/" not in document.stored_as
    office = store("名单.xlsx", b"PK\x03\x04 office")
    assert office.stored_as.endswith(".xlsx")


def test_confidential_sections_by_setting():
    settings = settings_service.DEFAULTS
    assert documents.may_open("unit", "desk", settings)
    assert not documents.may_open("credit", "desk", settings)
    assert documents.may_open("credit", "gm", settings)


# ---- completeness ---------------------------------------------------------------------------------

def test_two_working_day_flag_across_weekend_and_holiday(database, make_customer):
    friday = make_customer(name="周五签约", kind="company", contract_date=datetime.date(2026, 11, 20))
    assert ownership.completeness_due(friday) == D(2026, 11, 24, 23, 59)  # Tue: weekend skipped
    holiday = make_customer(name="节前签约", kind="company", contract_date=datetime.date(2026, 9, 30))
    assert ownership.completeness_due(holiday) == D(2026, 10, 9, 23, 59)  # 1-7 Oct skipped
    flagged = [row[0].name for row in ownership.incomplete_cards(D(2026, 11, 25, 9, 0))]
    assert flagged == ["节前签约", "周五签约"]
    assert ownership.incomplete_cards(D(2026, 11, 24, 12, 0))[-1][0].name == "节前签约"


def test_complete_resident_card_is_not_flagged(database, make_customer):
    resident = make_customer(kind="resident", building="3栋", room="1201",
                             id_number="11010519491231002X", contract_date=datetime.date(2026, 1, 5))
    assert ownership.missing_fields(resident) == ["emergency"]
    EmergencyContact.create(customer=resident, name="王五", phone="13700000000")
    assert ownership.missing_fields(resident) == []
    assert ownership.incomplete_cards(D(2026, 11, 1)) == []


# ---- grading --------------------------------------------------------------------------------------

def test_evaluation_workflow_and_roles(users, database, make_customer):
    settings = settings_service.load()
    customer = make_customer(kind="dealer")
    with pytest.raises(grading.GradingError, match="评级期"):
        grading.propose(customer, users["sales"], settings, "key", "A",
                        today=datetime.date(2026, 11, 22))
    with pytest.raises(grading.GradingError, match="销售人员"):
        grading.propose(customer, users["desk"], settings, "key", "A",
                        today=datetime.date(2026, 3, 26))
    evaluation = grading.propose(customer, users["sales"], settings, "key", "A",
                                 today=datetime.date(2026, 3, 26), annual_sales=1200000,
                                 price_level="中", payment_record="按时", cooperation="良好")
    with pytest.raises(grading.GradingError, match="销售主管审核"):
        grading.approve(evaluation, users["gm"])
    with pytest.raises(grading.GradingError, match="销售主管"):
        grading.review(evaluation, users["gm"])
    grading.review(evaluation, users["manager"])
    with pytest.raises(grading.GradingError, match="总经理"):
        grading.approve(evaluation, users["manager"])
    grading.approve(evaluation, users["gm"])
    stored = Customer.get_by_id(customer.id)
    assert (stored.tier, stored.grade, stored.provisional_until) == ("key", "A", None)
    assert customer.evaluations.count() == 1  # kept as history


def test_provisional_grade_comes_back_after_six_months(users, database, make_customer):
    customer = make_customer(tier="general", grade="B")
    grading.set_provisional(customer, datetime.date(2026, 5, 20))
    customer.save()
    assert grading.due_for_reevaluation(datetime.date(2026, 11, 19)) == []
    assert [c.id for c in grading.due_for_reevaluation(datetime.date(2026, 11, 20))] == [
        customer.id]


def test_the_six_months_count_from_the_start_of_cooperation(users, database, make_customer):
    """Seed 000 5.2: 合作满六个月后进行评估 — from the contract date, not from the grading."""
    signed = make_customer(tier="general", grade="B", contract_date=datetime.date(2026, 3, 1))
    grading.set_provisional(signed, datetime.date(2026, 5, 20))
    assert signed.provisional_until == datetime.date(2026, 9, 1)
    unsigned = make_customer(tier="general", grade="B")
    grading.set_provisional(unsigned, datetime.date(2026, 5, 20))
    assert unsigned.provisional_until == datetime.date(2026, 11, 20)


def test_window_setting():
    assert grading.in_window(datetime.date(2026, 3, 25), "03-25:03-30")
    assert grading.in_window(datetime.date(2026, 3, 30), "03-25:03-30")
    assert not grading.in_window(datetime.date(2026, 3, 31), "03-25:03-30")


# ---- contacts ------------------------------------------------------------------------------------

def test_contact_due_per_tier(users, database, make_customer):
    settings = settings_service.load()
    old = D(2026, 10, 1, 9, 0)
    strategic = make_customer(name="战略", tier="strategic", created_at=old)
    key = make_customer(name="重点", tier="key", created_at=old)
    general = make_customer(name="一般", tier="general", created_at=old)
    make_customer(name="储备", tier="reserve", created_at=old)
    ownership.log_contact(strategic, users["sales"], "phone", "电话问候", at=D(2026, 11, 18, 9))
    ownership.log_contact(general, users["sales"], "visit", "拜访", at=D(2026, 11, 1, 9))
    due = {row[0].name: row[2] for row in ownership.contacts_due(settings,
                                                                 datetime.date(2026, 11, 25))}
    assert due == {"战略": datetime.date(2026, 11, 25), "重点": datetime.date(2026, 10, 8)}
    assert "一般" in {row[0].name for row in ownership.contacts_due(
        settings, datetime.date(2026, 12, 1))}
    assert key.id


def test_visits_and_follow_ups_count_as_contact_and_never_move_it_back(users, database,
                                                                      make_customer):
    from blueprints.reception import service as reception
    from models import CustomerVisit
    customer = make_customer(name="重点客户", tier="key", created_at=D(2026, 9, 1, 9))
    visit = CustomerVisit.create(customer=customer, staff=users["sales"],
                                 planned_at=D(2026, 11, 10, 10))
    reception.record_customer_visit(visit, users["sales"], at=D(2026, 11, 10, 11))
    assert Customer.get_by_id(customer.id).contacted_at == D(2026, 11, 10, 11)
    followup = FollowUp.create(customer=customer, subject="回访", planned_on=datetime.date(
        2026, 11, 1))
    reception.record_followup(followup, "满意", 5, users["desk"], at=D(2026, 11, 2, 9))
    assert Customer.get_by_id(customer.id).contacted_at == D(2026, 11, 10, 11)  # older: kept
    settings = settings_service.load()
    assert ownership.contacts_due(settings, datetime.date(2026, 11, 16)) == []
    assert [r[0].id for r in ownership.contacts_due(settings, datetime.date(2026, 11, 17))] == [
        customer.id]


def test_contact_count_is_capped_and_the_list_limited(users, database, make_customer):
    settings = settings_service.load()
    for n in range(5):
        make_customer(name=f"客户{n}", tier="strategic", created_at=D(2026, 1, 1 + n, 9))
    today = datetime.date(2026, 11, 1)
    assert str(ownership.count_contacts_due(settings, today)) == "5"
    capped = ownership.count_contacts_due(settings, today, cap=3)
    assert capped == 3 and str(capped) == "3+"  # (the home tile prints "100+")
    shown = ownership.contacts_due(settings, today, limit=2)
    assert [row[0].name for row in shown] == ["客户0", "客户1"]  # longest overdue first
    assert shown[0][1] is None  # never contacted
    assert ownership.contacts_due_query(settings, today).count() == 5


def test_upgrade_step_fills_last_contact_from_history(users, database, make_customer):
    from models import ContactLog, schema
    customer = make_customer(name="老客户", tier="general", created_at=D(2025, 1, 1, 9))
    ContactLog.create(customer=customer, user=users["sales"].id, method="phone", note="",
                      at=D(2026, 6, 1, 9))
    other = make_customer(name="没联系过", tier="general", created_at=D(2025, 2, 1, 9))
    Customer.update(contacted_at=None).execute()  # as a database from before the column
    schema._fill_contacted_at(database)
    assert Customer.get_by_id(customer.id).contacted_at == D(2026, 6, 1, 9)
    assert Customer.get_by_id(other.id).contacted_at == D(2025, 2, 1, 9)


# ---- ownership -----------------------------------------------------------------------------------

def test_phone_enquiries_entered_on_screen_lapse_unless_they_came(login, users, database):
    """Seed 000 (案场): a 来电 customer who has not come to the sales office within two months
    loses the owner. "Came": a sales-floor reception or a visitor-register entry; a visit our
    staff paid them does not count. All through the screens, nothing set by hand."""
    from models import clock

    def enquiry(browser, name, phone):
        browser.submit("/archives/new", {"kind": "shopper", "name": name, "phone": phone,
                                         "status": "potential", "source": "来电",
                                         "owner": str(users["sales"].id)})
        return Customer.get(Customer.name == name)
    with clock.frozen(D(2026, 9, 1, 10)):
        sales = login("sales")
        silent = enquiry(sales, "只来过电话", "13811110001")
        received = enquiry(sales, "来售楼处", "13811110002")
        registered = enquiry(sales, "访客登记", "13811110003")
        visited_by_us = enquiry(sales, "我们去拜访", "13811110004")
    with clock.frozen(D(2026, 10, 10, 15)):
        manager, desk = login("manager"), login("desk")
        manager.submit("/reception/rotation/add", {"user": str(users["sales"].id)},
                       page="/reception/rotation")
        desk.submit("/reception/rotation/receive", {"phone": "13811110002"},
                    page="/reception/rotation")
        desk.submit("/reception/visits/new", {
            "name": "访客登记", "phone": "13811110003", "purpose": "看房", "headcount": "1",
            "id_type": "id_card", "arrived_at": "2026-10-10T15:00", "reception_class": "B",
            "host": str(users["desk"].id), "customer": str(registered.id)})
        sales = login("sales")
        sales.submit("/reception/customer-visits/new?customer=" + str(visited_by_us.id), {
            "customer": str(visited_by_us.id), "staff": str(users["sales"].id),
            "planned_at": "2026-10-10T14:00", "place": "客户家", "purpose": "回访"})
        from models import CustomerVisit
        paid = CustomerVisit.get(CustomerVisit.customer == visited_by_us.id)
        sales.submit(f"/reception/customer-visits/{paid.id}/record", {
            "visited_at": "2026-10-10T14:00", "opinions": "满意", "escalate_to": ""},
            page=f"/reception/customer-visits/{paid.id}/record")
        assert CustomerVisit.get_by_id(paid.id).visited_at is not None
    with clock.frozen(D(2026, 11, 2, 9)):
        manager = login("manager")
        response = manager.submit("/archives/rules/lapse", {}, page="/archives/rules")
        assert "2 位来电客户转为资料" in manager.get(response.location).get_data(as_text=True)
    owners = {c.name: c.owner_id for c in Customer.select()}
    assert owners == {"只来过电话": None, "来售楼处": users["sales"].id,
                      "访客登记": users["sales"].id, "我们去拜访": None}
    assert silent.id and received.id and visited_by_us.id


def test_phone_enquiry_lapses_after_two_months_without_visit(users, database, make_customer):
    lapsing = make_customer(name="只来过电话", owner=users["sales"], enquiry_only=True,
                            created_at=D(2026, 9, 1, 10))
    visited = make_customer(name="来看过", owner=users["sales"], enquiry_only=True,
                            created_at=D(2026, 9, 1, 10))
    Visit.create(serial="FK-X", name="来看过", customer=visited, arrived_at=D(2026, 10, 15))
    young = make_customer(name="刚来电", owner=users["sales"], enquiry_only=True,
                          created_at=D(2026, 10, 1, 10))
    lapsed = ownership.lapse_enquiries(users["manager"], at=D(2026, 11, 2, 9))
    assert [c.name for c in lapsed] == ["只来过电话"]
    assert Customer.get_by_id(lapsing.id).owner_id is None
    assert Customer.get_by_id(young.id).owner_id == users["sales"].id
    assert OwnershipChange.get().from_user_id == users["sales"].id


def test_even_redistribution_with_follow_ups(users, database, make_customer):
    leaver = users["sales"]
    second = accounts.create_user("sales2", "销售乙", "sales", "secret-pass-2")
    third = accounts.create_user("sales3", "销售丙", "sales", "secret-pass-3")
    for n in range(7):
        make_customer(name=f"客户{n}", owner=leaver)
    plan, staying = ownership.plan_redistribution(leaver)
    assert staying == []
    counts = {}
    for _customer, user, _why in plan:
        counts[user.username] = counts.get(user.username, 0) + 1
    assert sorted(counts.values()) == [3, 4] and set(counts) == {"sales2", "sales3"}
    ownership.apply_redistribution(plan, leaver, users["admin"], today=datetime.date(2026, 11, 22))
    assert Customer.select().where(Customer.owner == leaver).count() == 0
    followups = list(FollowUp.select().where(FollowUp.source == "redistribution"))
    assert len(followups) == 7
    assert {f.planned_on for f in followups} == {datetime.date(2026, 11, 25)}
    assert {f.assigned_to_id for f in followups} == {second.id, third.id}
    assert User.get_by_id(leaver.id).active  # disabling is the admin's separate step


def test_seven_customers_over_three_staff(users, database, make_customer):
    leaver = accounts.create_user("leaver", "离职", "sales", "secret-pass-4")
    for username in ("s2", "s3"):
        accounts.create_user(username, username, "sales", "secret-pass-5")
    for n in range(7):
        make_customer(name=f"客户{n}", owner=leaver)
    plan, staying = ownership.plan_redistribution(leaver)
    assert staying == []
    counts = {}
    for _customer, user, _why in plan:
        counts[user.username] = counts.get(user.username, 0) + 1
    assert sorted(counts.values()) == [2, 2, 3]  # users["sales"] plus s2 and s3
