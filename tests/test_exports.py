"""Excel exports: the list as filtered, Chinese headers, masking by role, logged."""
import io
from decimal import Decimal

from openpyxl import load_workbook

from models import AccessLog, Message, VipCard, clock


def read(response):
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_customer_export_round_trip_with_masking(login, make_customer, database, users):
    make_customer(name="张三", phone="13812345678", kind="company")
    make_customer(name="李四", phone="13900001111", kind="resident")
    rows = read(login("manager").get("/archives/export?kind=company"))
    assert rows[0][:4] == ["名称/姓名", "类型", "房号/地址", "电话"]
    assert [r[0] for r in rows[1:]] == ["张三"]
    assert rows[1][3] == "138****5678"  # masked for every role: a full number needs a reveal
    entry = AccessLog.get(AccessLog.action == "export")
    assert entry.model == "Customer" and "kind=company" in entry.reason
    assert entry.user_id == users["manager"].id


def test_engineer_export_masks_phones(login, database, users):
    from blueprints.repairs import service as repairs
    from models import RepairRequest
    repairs.register_request(RepairRequest(location="3栋", content="漏水",
                                           contact_phone="13812345678"), users["desk"])
    rows = read(login("engineer").get("/repairs/export?view=all"))
    assert rows[0][0] == "工单号" and rows[1][6] == "138****5678"


def test_complaint_and_visitor_exports(login, database, users):
    from blueprints.complaints import service as complaints
    from models import Complaint
    complaints.intake(Complaint(complainant="赵六", phone="13700004321", content="x",
                                category="服务质量"), users["desk"])
    complaints.intake(Complaint(complainant="王五", phone="13700001234", content="x",
                                category="服务质量"), users["desk"])
    rows = read(login("desk").get("/complaints/export?view=all"))
    # Every column (the list on screen reads fewer), newest first.
    assert rows[1][2] == "王五" and rows[1][3] == "137****1234"  # masked for every role
    assert rows[2][2] == "赵六" and rows[2][3] == "137****4321"
    visitors = read(login("desk").get("/reception/visits/export"))
    assert visitors[0][:3] == ["单号", "访客", "证件"] and len(visitors) == 1
    assert AccessLog.select().where(AccessLog.action == "export").count() == 2


def test_long_export_runs_as_a_job_with_a_download(app, login, make_customer, database):
    from tests.conftest import finished_job
    for n in range(3):
        make_customer(name=f"客户{n}")
    app.config["EXPORT_INLINE_ROWS"] = 2
    manager = login("manager")
    started = manager.get("/archives/export")
    assert started.status_code == 302 and "/jobs/" in started.location
    token = finished_job(started.location)
    page = manager.get(started.location).get_data(as_text=True)
    assert "共 3 行" in page
    rows = read(manager.get(f"/jobs/{token}/file"))
    assert sorted(r[0] for r in rows[1:]) == ["客户0", "客户1", "客户2"]
    assert login("desk").get(f"/jobs/{token}/file").status_code == 404  # not theirs
    assert AccessLog.get(AccessLog.action == "export").detail.endswith("3")


def test_every_list_exports(login, make_customer, database, users):
    """Each list page's export button gives a workbook with its Chinese headers."""
    manager = login("manager")
    expected = {"/audit/export": "时间", "/access-log/export": "时间", "/vip/export": "卡号",
                "/reception/followups/export": "计划日期",
                "/reception/customer-visits/export": "预约时间",
                "/complaints/returns/export": "单号", "/archives/export": "名称/姓名",
                "/reception/visits/export": "单号", "/complaints/export": "单号",
                "/repairs/export": "工单号"}
    for url, header in expected.items():
        rows = read(manager.get(url))
        assert rows[0][0] == header, url
    assert AccessLog.select().where(AccessLog.action == "export").count() == len(expected)


def test_more_lists_export_with_their_rows(login, make_customer, database, users):
    """Handovers, rotation history, gifts, outbox, rule lists, voided records and users."""

    from blueprints.archives import grading
    from blueprints.reception import service as reception
    from models import Gift, Handover
    from services import audit
    from services import settings as settings_service

    today = clock.today()
    Handover.create(shift="day", author=users["desk"].id, items="打印机缺纸", prospects="")
    reception.add_to_rotation(today, users["sales"])
    reception.receive(today, users["desk"], visitor_name="来客甲")
    Gift.create(name="雨伞", points=200, stock=5)
    enrolled = login("desk").submit("/vip/enrol", {"name": "张三", "phone": "13800001111",
                                                   "gender": "M", "handbook_given": "y"})
    assert enrolled.status_code == 302
    card = VipCard.get()
    Message.create(kind="promo", card=card, phone="13800001111", text="新品到店")
    customer = make_customer(name="王五")
    grading.propose(customer, users["sales"], settings_service.load(), "company", "A",
                    provisional=True, annual_sales=Decimal("1200000"))
    audit.void(make_customer(name="作废客户"), users["manager"], "重复建档")

    manager = login("manager")
    start = today.replace(day=1).isoformat()
    handovers = read(manager.get(f"/reception/handovers/export?start={start}"))
    assert handovers[0][:3] == ["时间", "班次", "交班人"] and handovers[1][3] == "打印机缺纸"
    turns = read(manager.get(f"/reception/rotation/export?start={start}"))
    assert turns[0][:4] == ["日期", "时间", "来客", "接待人"]
    assert turns[1][2:4] == ["来客甲", users["sales"].display_name]
    gifts = read(manager.get("/vip/gifts/export"))
    assert gifts[1][:4] == ["雨伞", 200, 5, 0]
    outbox = read(manager.get("/vip/outbox/workbook"))
    assert outbox[0][1] == "卡号" and outbox[1][1:4] == [card.number, "138****1111", "新品到店"]
    evaluations = read(manager.get("/archives/rules/export?list=evaluations"))
    assert evaluations[1][:2] == ["王五", today.year] and evaluations[1][4] == "A"
    assert manager.get("/archives/rules/export?list=nothing").status_code == 404
    voided = read(manager.get("/records/voided/export"))
    assert voided[1][1] == "作废客户" and voided[1][3:] == [
        users["manager"].display_name, "重复建档"]
    staff = read(login("admin").get("/admin/users/export"))
    assert staff[0] == ["用户名", "姓名", "角色", "状态", "最近登录"]
    assert {r[0] for r in staff[1:]} >= {"desk", "manager", "admin"}
    assert login("desk").get("/admin/users/export").status_code == 403
    logged = [e.model for e in AccessLog.select().where(AccessLog.action == "export")]
    assert sorted(logged) == sorted(["Handover", "RotationTurn", "Gift", "Message", "Customer",
                                     "Voidable", "User"])

