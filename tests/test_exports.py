"""Excel exports: the list as filtered, Chinese headers, masking by role, logged."""
import io

from openpyxl import load_workbook

from models import AccessLog


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
    assert rows[1][3] == "13812345678"  # a manager may reveal numbers
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
    complaints.intake(Complaint(complainant="王五", phone="13700001234", content="x",
                                category="服务质量"), users["desk"])
    rows = read(login("desk").get("/complaints/export?view=all"))
    assert rows[1][2] == "王五" and rows[1][3] == "13700001234"
    visitors = read(login("desk").get("/reception/visits/export"))
    assert visitors[0][:3] == ["单号", "访客", "证件"] and len(visitors) == 1
    assert AccessLog.select().where(AccessLog.action == "export").count() == 2


def test_long_export_runs_as_a_job_with_a_download(app, login, make_customer, database):
    import time

    from models import Job
    for n in range(3):
        make_customer(name=f"客户{n}")
    app.config["EXPORT_INLINE_ROWS"] = 2
    manager = login("manager")
    started = manager.get("/archives/export")
    assert started.status_code == 302 and "/jobs/" in started.location
    token = started.location.rsplit("/", 1)[1]
    for _ in range(100):
        if Job.get(Job.token == token).state == "done":
            break
        time.sleep(0.05)
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
