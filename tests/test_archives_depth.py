"""Archive depth routes: documents and confidentiality, grading, contacts, lists, redistribution."""
import datetime
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from models import AccessLog, Customer, Document, FollowUp, GradeEvaluation, User, clock
from services import accounts

PDF = b"%PDF-1.4\n%test\n"


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def upload(browser, customer, section, name, data):
    return browser.submit(f"/archives/{customer.id}/documents",
                          {"section": section, "title": "租赁合同", "file": (io.BytesIO(data), name)},
                          page=f"/archives/{customer.id}/documents",
                          content_type="multipart/form-data")


def test_upload_download_and_confidentiality(login, make_customer, database, users):
    customer = make_customer(name="甲公司", kind="company")
    sales, manager = login("sales"), login("manager")
    bad = upload(manager, customer, "credit", "x.pdf", b"not a pdf at all")
    assert bad.status_code == 422 and "只能上传" in bad.get_data(as_text=True)
    refused = upload(sales, customer, "credit", "contract.pdf", PDF)  # a confidential section
    assert refused.status_code == 403 and Document.select().count() == 0
    upload(manager, customer, "credit", "../../contract.pdf", PDF)
    upload(sales, customer, "unit", "平面图.png", b"\x89PNG\r\n\x1a\n....")
    secret, plan = Document.get(Document.section == "credit"), Document.get(Document.section == "unit")
    assert secret.filename == "contract.pdf"
    assert sales.get(f"/archives/documents/{secret.id}").status_code == 403
    page = manager.get(f"/archives/{customer.id}/documents").get_data(as_text=True)
    assert "打开（将登记查阅）" in page and "contract.pdf" not in page  # closed until opened
    opened = manager.get(f"/archives/{customer.id}/documents?open=credit&reason=核对合同")
    assert "contract.pdf" in opened.get_data(as_text=True)
    download = manager.get(f"/archives/documents/{secret.id}")
    try:
        assert download.status_code == 200 and download.data == PDF
    finally:
        download.close()
    shown = sales.get(f"/archives/documents/{plan.id}")
    shown.close()
    actions = [(a.action, a.detail) for a in AccessLog.select().order_by(AccessLog.id)]
    assert ("open", "credit") in actions and ("download", "contract.pdf") in actions
    assert ("download", "平面图.png") in actions


def test_grading_through_the_screens(login, make_customer, database):
    customer = make_customer(name="乙经销商", kind="dealer")
    sales = login("sales")
    outside = sales.submit(f"/archives/{customer.id}/evaluate", {"tier": "key", "grade": "A"})
    if not (3, 25) <= (clock.today().month, clock.today().day) <= (3, 30):
        assert outside.status_code == 422 and "评级期" in outside.get_data(as_text=True)
    sales.submit(f"/archives/{customer.id}/evaluate", {"tier": "general", "grade": "B",
                                                       "provisional": "y", "credit": "C"})
    evaluation = GradeEvaluation.get(GradeEvaluation.provisional)
    assert login("sales").post(f"/archives/evaluations/{evaluation.id}/review").status_code in (
        400, 403)
    login("manager").submit(f"/archives/evaluations/{evaluation.id}/review", {},
                            page=f"/archives/{customer.id}/evaluate")
    login("gm").submit(f"/archives/evaluations/{evaluation.id}/approve", {},
                       page=f"/archives/{customer.id}/evaluate")
    stored = Customer.get_by_id(customer.id)
    assert (stored.tier, stored.grade) == ("general", "B") and stored.provisional_until
    assert stored.credit_grade == "C"  # 资信等级, rated with the grade (seed 000 4.2)
    text = PdfReader(io.BytesIO(sales.get(f"/archives/evaluations/{evaluation.id}/print").data)) \
        .pages[0].extract_text()
    assert "客户质量等级评定表" in text and "乙经销商" in text and "C 须现款结算" in text
    assert "总经理甲" in text


def test_contact_log_and_rule_lists(login, make_customer, database):
    customer = make_customer(name="丙客户", tier="key", contract_date=datetime.date(2026, 1, 5),
                             kind="company", created_at=datetime.datetime(2026, 1, 1))
    sales = login("sales")
    page = sales.get("/archives/rules").get_data(as_text=True)
    assert "丙客户" in page  # late card and contact due
    sales.submit(f"/archives/{customer.id}/contacts-log", {"method": "phone", "note": "问候"},
                 page=f"/archives/{customer.id}")
    contacts = soup(sales.get("/archives/rules")).select("table")[1]
    assert "丙客户" not in contacts.text


def test_disabling_a_salesperson_redistributes_first(login, make_customer, database, users):
    accounts.create_user("sales2", "销售乙", "sales", "secret-pass-2")
    for n in range(3):
        make_customer(name=f"客户{n}", owner=users["sales"])
    admin = login("admin")
    response = admin.submit(f"/admin/users/{users['sales'].id}/toggle", {}, page="/admin/users")
    assert response.location == f"/admin/users/{users['sales'].id}/redistribute"
    assert User.get_by_id(users["sales"].id).active
    preview = admin.get(response.location).get_data(as_text=True)
    assert "客户0" in preview and "销售乙" in preview
    admin.submit(response.location, {})
    assert not User.get_by_id(users["sales"].id).active
    assert Customer.select().where(Customer.owner == users["sales"]).count() == 0
    assert FollowUp.select().where(FollowUp.source == "redistribution").count() == 3


def test_duplicate_registration_keeps_first_owner(login, make_customer, database, users):
    make_customer(name="原客户", phone="13812345678", owner=users["sales"])
    desk = login("desk")
    desk.submit("/archives/new", {"kind": "shopper", "name": "重复登记", "phone": "13812345678",
                                  "status": "potential", "owner": str(users["desk"].id),
                                  "confirm_duplicate": "y"})
    assert Customer.get(Customer.name == "重复登记").owner_id == users["sales"].id


def test_potential_archive_print(login, make_customer, database):
    customer = make_customer(name="潜在客户甲", status="potential")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        login("desk").get(f"/archives/{customer.id}/print").data)).pages).replace(" ", "")
    assert "潜在客户档案" in text and "档案资料" in text


def test_grades_read_as_people_name_them(login, users, database, make_customer):
    """Issue 22: 评级记录 and 待审批的评级 showed "key A" where 重点 A is meant."""
    from models import GradeEvaluation
    customer = make_customer(name="评级客户", tier="key", grade="A")
    GradeEvaluation.create(customer=customer, year=2026, tier="key", grade="A",
                           proposed_by=users["sales"])
    manager = login("manager")
    for url in (f"/archives/{customer.id}/evaluate", "/archives/rules"):
        text = manager.get(url).get_data(as_text=True)
        assert "重点 A" in text and "key A" not in text, url


def signed_in(app, username, password):
    from tests.conftest import Browserish
    browser = Browserish(app.test_client())
    assert browser.login(username, password).status_code == 302
    return browser


def test_a_leavers_customers_not_handed_over_or_with_open_matters_move(app, login, make_customer,
                                                                        database, users):
    """Seed 000 (案场): 辞退或离职人员没有交房的全部客户和有遗留问题的客户由销售主管均分给其余
    销售人员。分到客户的销售人员必需在三天内进行客户回访，回访状况以书面形式上报销售主管。"""
    from blueprints.complaints import service as complaints
    from models import Complaint, Notification, OwnershipChange
    second = accounts.create_user("sales2", "销售乙", "sales", "secret-pass-2")
    handed = datetime.date(2026, 6, 1)
    done = make_customer(name="已交房客户", owner=users["sales"])
    waiting = make_customer(name="未交房客户", owner=users["sales"])
    troubled = make_customer(name="有投诉客户", owner=users["sales"])
    Customer.update(handed_over_on=handed).where(Customer.id.in_([done.id, troubled.id])).execute()
    complaints.intake(Complaint(received_at=clock.now(), complainant="有投诉客户",
                                customer=troubled, content="漏水", category="服务质量"),
                      users["desk"])
    admin = login("admin")
    preview = admin.get(f"/admin/users/{users['sales'].id}/redistribute").get_data(as_text=True)
    assert "未交房" in preview and "有未结投诉" in preview and "已交房客户" in preview
    admin.submit(f"/admin/users/{users['sales'].id}/redistribute", {})
    owners = {c.name: c.owner_id for c in Customer.select()}
    assert owners == {"已交房客户": users["sales"].id, "未交房客户": second.id,
                      "有投诉客户": second.id}
    assert {c.reason for c in OwnershipChange.select()} == {
        "员工离职，客户重新分配：未交房", "员工离职，客户重新分配：有未结投诉"}
    followups = list(FollowUp.select().where(FollowUp.source == "redistribution"))
    assert {f.planned_on for f in followups} == {clock.today() + datetime.timedelta(days=3)}
    assert Notification.select().where(Notification.user == users["manager"]).count() == 1

    report = f"/archives/leavers/{users['sales'].id}"
    assert signed_in(app, "sales2", "secret-pass-2").get(report).status_code == 403
    manager = login("manager")
    page = soup(manager.get(report))
    assert [row.select("td")[0].text for row in page.select("tbody tr")] == ["未交房客户",
                                                                             "有投诉客户"]
    assert page.text.count("未回访") == 2
    taker = signed_in(app, "sales2", "secret-pass-2")
    followup = next(f for f in followups if f.customer_id == waiting.id)
    taker.submit(f"/reception/followups/{followup.id}/record", {
        "method": "phone", "outcome": "已电话联系，客户同意继续", "satisfaction": "5"},
        page=f"/reception/followups/{followup.id}/record")
    taker.submit(f"/reception/followups/{followup.id}/report", {"report": "交房时间已确认为12月"},
                 page=f"/reception/followups/{followup.id}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        manager.get(report + "/print").data)).pages)
    assert "离职人员客户分配及回访报告" in text and "交房时间已确认为12月" in text
    assert "未回访" in text  # the other one is still waiting


def test_no_one_to_take_the_customers_keeps_the_leaver_active(login, make_customer, database,
                                                              users):
    make_customer(name="未交房客户", owner=users["sales"])
    admin = login("admin")
    refused = admin.submit(f"/admin/users/{users['sales'].id}/redistribute", {},
                           page="/admin/users")
    assert User.get_by_id(users["sales"].id).active
    assert Customer.get().owner_id == users["sales"].id
    assert refused.status_code in (200, 302)


def test_a_prospects_card_is_filed_from_the_first_visit_and_listed(app, login, database, users):
    """A prospect file is created from a first visit (seed 000 案场: 以第一接待的销售人员为准),
    and potential dealers make the 潜在经销商名录."""
    from models import RotationTurn, TimelineEntry
    from models.reception import WALK_IN
    at = clock.now()
    turn = RotationTurn.create(day=at.date(), at=at, user=users["sales"], kind=WALK_IN,
                               consumes_turn=True, visitor_name="赵先生")
    other = accounts.create_user("sales2", "销售乙", "sales", "secret-pass-2")
    sales = login("sales")
    assert f"/archives/new?turn={turn.id}" in sales.get("/reception/rotation").get_data(
        as_text=True)
    form = soup(sales.get(f"/archives/new?turn={turn.id}&kind=dealer"))
    assert form.select_one("#name")["value"] == "赵先生"
    assert form.select_one("#status option[selected]")["value"] == "potential"
    assert form.select_one("#source option[selected]")["value"] == "来访"
    assert form.select_one("#kind option[selected]")["value"] == "dealer"
    # someone else's reception does not prefill, and cannot be claimed by sending its id
    stranger = signed_in(app, "sales2", "secret-pass-2")
    assert soup(stranger.get(f"/archives/new?turn={turn.id}")).select_one(
        "#name").get("value", "") == ""
    stranger.submit("/archives/new", {"kind": "dealer", "name": "冒领", "phone": "13900002222",
                                      "status": "potential", "turn": str(turn.id)})
    assert RotationTurn.get_by_id(turn.id).customer_id is None

    sales.submit("/archives/new", {"kind": "dealer", "name": "赵先生", "contact_person": "赵先生",
                                   "phone": "13900001111", "status": "potential",
                                   "source": "来访", "owner": str(users["sales"].id),
                                   "turn": str(turn.id)})
    prospect = Customer.get(Customer.phone == "13900001111")
    assert RotationTurn.get_by_id(turn.id).customer_id == prospect.id
    assert TimelineEntry.select().where((TimelineEntry.customer == prospect) &
                                        TimelineEntry.summary.contains("首次来访")).exists()
    assert f"/archives/new?turn={turn.id}" not in sales.get("/reception/rotation").get_data(
        as_text=True)

    listed = soup(sales.get("/archives/prospects"))
    assert "潜在经销商名录" in listed.select_one("h1").text
    assert [a.text for a in listed.select("tbody a")] == ["赵先生"]
    assert "139****1111" in listed.text and "13900001111" not in listed.text
    assert "赵先生" not in stranger.get("/archives/prospects").get_data(as_text=True)
    assert other.role == "sales"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        login("manager").get("/archives/prospects/print?kind=dealer").data)).pages)
    assert "潜在经销商名录" in text and "赵先生" in text and "冒领" in text
