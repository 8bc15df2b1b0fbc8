"""Complaint routes: intake, the workflow from the tablet, refusals, lists, outcomes, prints."""
import datetime
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from models import (
    Complaint,
    Customer,
    FollowUp,
    Notification,
    ResponsibilityShare,
    ReturnRequest,
)
from tests.conftest import FROZEN  # noqa: E402

NOW = FROZEN


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def intake_data(**overrides):
    data = {"received_at": NOW.strftime("%Y-%m-%dT%H:%M"), "channel": "phone",
            "complainant": "张三", "phone": "13800001111", "category": "服务质量",
            "severity": "general", "region": "in_province", "content": "电梯坏了三天无人修",
            "demand": "尽快修好", "check_heard": "y", "check_recorded": "y"}
    data.update(overrides)
    return data


def pdf_text(response):
    assert response.headers["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).replace(
        " ", "")


def test_intake_by_first_receiver(login, users, database):
    desk = login("desk")
    response = desk.submit("/complaints/new", intake_data(create_customer="y"))
    complaint = Complaint.get()
    assert response.location == f"/complaints/{complaint.id}"
    assert complaint.serial == f"KS-{NOW:%Y%m}-0001"
    assert complaint.owner_id == users["desk"].id and complaint.received_by_id == users["desk"].id
    assert complaint.check_heard and complaint.check_recorded and not complaint.check_asked
    assert complaint.customer.name == "张三" and complaint.customer.phone == "13800001111"
    page = desk.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "结案期限" in page and "现场处理" in page


def test_invalid_intake_keeps_input_and_saves_nothing(login, database):
    desk = login("desk")
    response = desk.submit("/complaints/new", intake_data(
        complainant="", content="", category="", quantity="5", defective_qty="9", phone="1"))
    assert response.status_code == 422
    page = soup(response)
    assert "请输入投诉人" in page.find(id="complainant-errors").text
    assert "请填写投诉内容" in page.find(id="content-errors").text
    assert "请选择投诉类别" in page.find(id="category-errors").text
    assert "不良数量不能大于数量" in page.find(id="defective_qty-errors").text
    assert page.find(id="demand").text.strip() == "尽快修好"
    assert Complaint.select().count() == 0


def test_major_complaint_badge_for_gm(login, users, database):
    login("desk").submit("/complaints/new", intake_data(severity="major", check_reported="y"))
    gm = login("gm")
    home = gm.get("/").get_data(as_text=True)
    assert 'class="badge bad">1<' in home
    listing = gm.get("/notifications").get_data(as_text=True)
    assert "重大投诉" in listing
    assert Notification.select().where(Notification.read_at.is_null()).count() == 1  # manager's


def test_folded_progress_shows_how_many_reports_so_far(login, users, database):
    """Issue 22: a folded action shows a count where one fits."""
    desk = login("desk")
    desk.submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    page = BeautifulSoup(desk.get(f"/complaints/{complaint.id}").get_data(as_text=True),
                         "html.parser")
    summary = next(s for s in page.select("summary") if "告知客户处理进度" in s.text)
    assert summary.select(".badge") == []  # none yet
    for note in ("已电话告知", "已短信告知"):
        desk.submit(f"/complaints/{complaint.id}/progress", {"method": "phone", "note": note},
                    page=f"/complaints/{complaint.id}")
    page = BeautifulSoup(desk.get(f"/complaints/{complaint.id}").get_data(as_text=True),
                         "html.parser")
    summary = next(s for s in page.select("summary") if "告知客户处理进度" in s.text)
    assert summary.select_one(".badge").text == "2"


def test_notices_and_planned_follow_ups_read_in_the_readers_language(login, users, database):
    """Issue 22: a notice written while a Chinese page was open read in Chinese to an English
    reader; it is stored as the catalogue's source and translated when it is read."""
    login("desk").submit("/complaints/new", intake_data(severity="major", content="电梯困人", check_reported="y"))
    serial = Complaint.get().serial
    gm = login("gm")
    assert f"重大投诉 {serial}：电梯困人" in gm.get("/notifications").get_data(as_text=True)
    gm.get("/lang/en")
    english = gm.get("/notifications").get_data(as_text=True)
    assert f"Major complaint {serial}: 电梯困人" in english and "重大投诉" not in english
    from models import FollowUp
    from services.customers import create_followup
    create_followup("投诉结案回访：%(serial)s", datetime.date(2026, 11, 24), params={"serial": serial},
                    actor=users["desk"])
    followup = FollowUp.get()
    assert followup.title == f"投诉结案回访：{serial}"  # (no request: the source language)
    manager = login("manager")
    page = manager.get(f"/reception/followups/{followup.id}").get_data(as_text=True)
    assert f"投诉结案回访：{serial}" in page
    manager.get("/lang/en")
    page = manager.get(f"/reception/followups/{followup.id}").get_data(as_text=True)
    assert f"Follow-up after closing {serial}" in page


def walk(complaint_id, login):
    steps = [("manager", "classify", {"nature": "设备故障", "cause_kind": "non_quality",
                                      "responsible_dept": "工程部"}),
             ("engineer", "investigate", {"cause": "配件缺货", "responsible_party": "工程部",
                                          "solution": "加急采购配件", "claim_amount": "0"}),
             ("gm", "approve", {"approval_comment": "同意"}),
             ("desk", "reply", {"reply_method": "phone", "reply_note": "已告知维修安排"}),
             ("desk", "follow_up", {"satisfaction": "4"}),
             ("manager", "close", {"summary": "已修复", "corrective_action": "备件库存下限"})]
    for role, action, data in steps:
        response = login(role).submit(f"/complaints/{complaint_id}/step/{action}", data,
                                      page=f"/complaints/{complaint_id}")
        assert response.status_code == 302, (action, response.get_data(as_text=True)[:300])


def test_workflow_to_closure_creates_followup(login, database):
    login("desk").submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    walk(complaint.id, login)
    stored = Complaint.get_by_id(complaint.id)
    assert stored.state == "closed" and stored.satisfaction == 4
    assert FollowUp.get(FollowUp.source == "complaint").source_id == complaint.id


def test_refused_steps_explain_why(login, database):
    login("desk").submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    desk = login("desk")
    refused = desk.submit(f"/complaints/{complaint.id}/step/classify",
                          {"nature": "x", "cause_kind": "non_quality", "responsible_dept": "工程部"},
                          page=f"/complaints/{complaint.id}")
    assert refused.status_code == 422 and "您的角色不能执行“判定”" in refused.get_data(as_text=True)
    manager = login("manager")
    early = manager.submit(f"/complaints/{complaint.id}/step/close",
                           {"summary": "x", "corrective_action": "y"},
                           page=f"/complaints/{complaint.id}")
    assert "不能执行“结案”" in early.get_data(as_text=True)
    missing = manager.submit(f"/complaints/{complaint.id}/step/classify", {"nature": ""},
                             page=f"/complaints/{complaint.id}")
    assert "请填写：性质、责任部门" in missing.get_data(as_text=True)
    assert Complaint.get_by_id(complaint.id).state == "recorded"


def test_only_allowed_step_buttons_are_shown(login, database):
    login("desk").submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    desk_page = soup(login("desk").get(f"/complaints/{complaint.id}"))
    # The desk cannot classify: it is told whose turn it is, with no step to take.
    assert desk_page.select_one("#next-step .turn").get_text() == "待经理判定"
    assert desk_page.select("#next-step form") == []
    manager_page = soup(login("manager").get(f"/complaints/{complaint.id}"))
    actions = [f["action"].rsplit("/", 1)[1] for f in manager_page.select("#next-step form")]
    assert actions == ["classify", "invalidate"]


def test_recomplaint_in_one_tap(login, database):
    login("desk").submit("/complaints/new", intake_data())
    original = Complaint.get()
    walk(original.id, login)
    response = login("desk").submit(f"/complaints/{original.id}/recomplaint",
                                    {"content": "不接受维修结果"}, page=f"/complaints/{original.id}")
    fresh = Complaint.get(Complaint.parent == original)
    assert response.location == f"/complaints/{fresh.id}" and fresh.content == "不接受维修结果"


def test_a_recomplaint_before_the_reply_is_refused(login, database):
    """The form shows only once the customer has had the result, and a crafted request before
    that opens nothing."""
    desk = login("desk")
    desk.submit("/complaints/new", intake_data())
    original = Complaint.get()
    page = desk.get(f"/complaints/{original.id}").get_data(as_text=True)
    assert f"/complaints/{original.id}/recomplaint" not in page
    response = desk.submit(f"/complaints/{original.id}/recomplaint", {"content": "抢先"},
                           page=f"/complaints/{original.id}")
    assert response.status_code == 422
    assert "答复客户后才能就处理结果重新受理" in response.get_data(as_text=True)
    assert Complaint.select().count() == 1


def test_shares_must_total_100(login, database):
    login("desk").submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    manager = login("manager")
    bad = manager.submit(f"/complaints/{complaint.id}/shares", {
        "lines-0-department": "工程部", "lines-0-percent": "60",
        "lines-1-department": "客服部", "lines-1-percent": "30"}, page=f"/complaints/{complaint.id}")
    assert bad.status_code == 422 and "合计必须为 100%" in bad.get_data(as_text=True)
    assert ResponsibilityShare.select().count() == 0
    manager.submit(f"/complaints/{complaint.id}/shares", {
        "lines-0-department": "工程部", "lines-0-percent": "70",
        "lines-1-department": "客服部", "lines-1-percent": "30"}, page=f"/complaints/{complaint.id}")
    assert sorted(s.percent for s in ResponsibilityShare.select()) == [30, 70]


def test_overdue_list_and_reminder_pdf(login, database):
    old = NOW - datetime.timedelta(days=16)
    login("desk").submit("/complaints/new", intake_data(received_at=old.strftime("%Y-%m-%dT%H:%M"),
                                                        complainant="李四"))
    login("desk").submit("/complaints/new", intake_data(complainant="王五"))
    manager = login("manager")
    overdue = [a.text for a in soup(manager.get("/complaints/?view=overdue")).select(
        "tbody td:first-child a")]
    late = Complaint.get(Complaint.complainant == "李四")
    assert overdue == [late.serial]
    text = pdf_text(manager.get(f"/complaints/{late.id}/reminder"))
    assert "催办单" in text and late.serial in text and "结案期限" in text


def test_late_list_pages_fifty_at_a_time(login, users, database):
    """The late list is worked out in Python, not in one query, yet it shows fifty complaints a
    page, earliest closure due first, and its next page goes on from where the last one shown
    stood even after that complaint has left the list."""
    from blueprints.complaints import service
    made = []
    for n in range(53):  # received 20 days ago and one more minute apart each: all late
        received = NOW - datetime.timedelta(days=20, minutes=60 - n)
        made.append(service.intake(Complaint(received_at=received, complainant=f"客户{n}",
                                             phone="13800001111", content="久拖未决",
                                             category="服务质量", region="in_province",
                                             severity="general"), users["desk"]))
    manager = login("manager")

    def serials(response):
        page = soup(response)
        link = page.select_one("p.pager a")
        return [a.text for a in page.select("tbody td:first-child a")], link and link["href"]

    first, next_page = serials(manager.get("/complaints/?view=overdue"))
    assert first == [c.serial for c in made[:50]]
    links = soup(manager.get("/complaints/?view=overdue")).select("tbody td:first-child a")
    assert [a["href"] for a in links] == [f"/complaints/{c.id}" for c in made[:50]]
    assert next_page == f"/complaints/?before={made[49].id}&view=overdue"
    service.apply(made[49], "invalidate", users["manager"], invalid_reason="重复登记")
    rest, no_more = serials(manager.get(next_page))
    assert rest == [c.serial for c in made[50:]] and no_more is None


def test_handling_form_has_five_copies(login, database):
    login("desk").submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    response = login("desk").get(f"/complaints/{complaint.id}/print")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 5
    text = pdf_text(response)
    for n, label in enumerate(("质量管理部", "制造部门", "业务部门", "会计科", "总经理室"), 1):
        assert f"第{n}联{label}" in text, label
    assert "客户投诉处理表" in text and "电梯坏了三天无人修" in text and "138****1111" in text
    # Issue 22: in English each copy names its department in English too.
    desk = login("desk")
    desk.get("/lang/en")
    english = pdf_text(desk.get(f"/complaints/{complaint.id}/print"))
    assert "Copy1:QualityManagement" in english and "Copy5:GeneralManager" in english
    assert "质量管理部" not in english


def test_return_request_across_year_refused_on_form(login, database):
    desk = login("desk")
    last_year = datetime.date(NOW.year - 1, 12, 30).isoformat()
    refused = desk.submit("/complaints/returns/new", {
        "customer_name": "张三", "purchase_date": last_year, "reason": "不喜欢",
        "area_manager": "陈经理",
        "lines-0-item": "台灯", "lines-0-quantity": "1"})
    assert refused.status_code == 422
    assert "不接受跨年度退换货" in soup(refused).find(id="purchase_date-errors").text
    assert ReturnRequest.select().count() == 0
    desk.submit("/complaints/returns/new", {
        "customer_name": "张三", "purchase_date": NOW.date().isoformat(), "reason": "灯不亮",
        "area_manager": "陈经理",
        "quality": "y", "lines-0-item": "台灯", "lines-0-quantity": "2",
        "lines-0-unit_price": "59.90"})
    request_ = ReturnRequest.get()
    assert request_.serial == f"TH-{NOW:%Y%m}-0001" and request_.lines.count() == 1
    for step in ("approve", "receive", "inspect", "settle"):
        desk.submit(f"/complaints/returns/{request_.id}/{step}", {"note": step},
                    page=f"/complaints/returns/{request_.id}")
    assert ReturnRequest.get_by_id(request_.id).state == "settled"
    text = pdf_text(desk.get(f"/complaints/returns/{request_.id}/print"))
    assert "退换货申请表" in text and "台灯" in text and "公司" in text


def test_monthly_statistics_page_and_pdf(login, database):
    login("desk").submit("/complaints/new", intake_data())
    manager = login("manager")
    page = manager.get(f"/complaints/stats?month={NOW:%Y-%m}").get_data(as_text=True)
    assert "客诉案件统计表" in page and "服务质量" in page
    text = pdf_text(manager.get(f"/complaints/stats/print?month={NOW:%Y-%m}"))
    assert "客诉案件统计表" in text and "本月受理" in text and "服务质量" in text
    assert "本月结案：责任归属与比率" in text and "本月结案：罚扣" in text
    notice = pdf_text(manager.get(f"/complaints/stats/staff-notice?month={NOW:%Y-%m}"))
    assert "人事公布单" in notice and "本期无登记" in notice
    assert login("desk").get("/complaints/stats").status_code == 403
    assert login("desk").get("/complaints/stats/staff-notice").status_code == 403


def test_complaint_on_customer_timeline(login, database, make_customer):
    customer = make_customer(name="赵六")
    desk = login("desk")
    desk.submit(f"/complaints/new?customer={customer.id}", intake_data(
        customer=str(customer.id), complainant="赵六"))
    complaint = Complaint.get()
    assert complaint.customer_id == customer.id
    page = desk.get(f"/archives/{customer.id}").get_data(as_text=True)
    assert complaint.serial in page and Customer.select().count() == 1


def test_everyone_who_sees_a_complaint_sees_whose_turn_it_is(login, users, database):
    """Issue 22: the 下一步 box says what comes next and who does it, also to a user who cannot
    take the step ("待经理判定", "待总经理审批"); a finished complaint has no such box."""
    import re

    from blueprints.complaints import service
    from models import Complaint, clock
    complaint = service.intake(Complaint(received_at=clock.now(), channel="phone",
                                         complainant="张三", category="产品质量",
                                         content="漏水"), users["desk"])

    def turn(role):
        page = login(role).get(f"/complaints/{complaint.id}").get_data(as_text=True)
        found = re.search(r'<p class="turn">(.*?)</p>', page)
        return found.group(1) if found else None
    assert turn("desk") == "待经理判定" and turn("manager") == "待经理判定"
    service.apply(complaint, "classify", users["manager"], nature="quality", cause_kind="quality",
                  responsible_dept="客服部")
    owner = Complaint.get_by_id(complaint.id).owner.display_name
    assert turn("gm") == f"待负责人 {owner} 调查"
    service.apply(Complaint.get_by_id(complaint.id), "investigate", users["desk"], cause="管道",
                  responsible_party="工程部", solution="更换", claim_amount=50000)
    assert turn("desk") == f"待总经理核决（{users['gm'].display_name}）"
    Complaint.update(state="closed").where(Complaint.id == complaint.id).execute()
    assert turn("gm") is None


def test_side_forms_are_fetched_when_opened_and_work_without_scripts(login, database):
    """The page folds its side forms empty (most views open none); opening one fetches it
    (htmx), a link opens it on a page of its own, and one sent back with errors is shown open
    in place."""
    login("desk").submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    manager = login("manager")
    page = BeautifulSoup(manager.get(f"/complaints/{complaint.id}").get_data(as_text=True),
                         "html.parser")
    address = f"/complaints/{complaint.id}/forms/shares_form"
    lazy = page.find("div", attrs={"hx-get": address})
    assert lazy["hx-trigger"] == "toggle once from:closest details"
    folded = lazy.find_parent("details")
    assert not folded.has_attr("open") and lazy.find("a", href=address)
    assert not folded.find("form")
    assert page.find(id="progress-note") is None  # (its fields are not on the page)
    fetched = manager.get(address, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "lines-0-percent" in fetched and "<html" not in fetched
    alone = manager.get(address).get_data(as_text=True)
    assert "<html" in alone and "lines-0-percent" in alone and complaint.serial in alone
    sent_back = manager.submit(f"/complaints/{complaint.id}/shares", {
        "lines-0-department": "工程部", "lines-0-percent": "60"}, page=address)
    shown = BeautifulSoup(sent_back.get_data(as_text=True), "html.parser")
    form = shown.find("form", action=f"/complaints/{complaint.id}/shares")
    assert sent_back.status_code == 422 and form.find_parent("details").has_attr("open")
    desk = login("desk")
    assert desk.get(address).status_code == 403  # (a manager's form)
    assert desk.get(f"/complaints/{complaint.id}/forms/progress_form").status_code == 200
    assert desk.get(f"/complaints/{complaint.id}/forms/nothing").status_code == 404
    assert desk.get(f"/complaints/{10 ** 25}/forms/progress_form").status_code == 404


def test_the_investigation_shows_who_will_decide_before_it_is_sent(login, users, database):
    """核决权限 as settings: the admin sets the limits and the 副总经理; the investigation form
    says who decides the amount typed, and the printed form carries the level."""
    from services import settings as settings_service
    admin = login("admin")
    from tests.test_admin import SETTINGS
    refused = admin.submit("/admin/settings", dict(SETTINGS, approve_manager_limit="5000",
                                                   approve_deputy_limit="1000",
                                                   complaint_deputy="nobody"))
    assert refused.status_code == 422
    assert "不能低于部门经理的" in refused.get_data(as_text=True)
    assert admin.submit("/admin/settings", dict(SETTINGS, approve_manager_limit="1000",
                                                approve_deputy_limit="5000",
                                                complaint_deputy="manager")).status_code == 302
    values = settings_service.load()
    assert (values["complaint_approval_limits"], values["complaint_deputy"]) == (
        {"manager": "1000.00", "deputy": "5000.00"}, "manager")

    desk = login("desk")
    desk.submit("/complaints/new", intake_data())
    complaint = Complaint.get()
    login("manager").submit(f"/complaints/{complaint.id}/step/classify",
                            {"nature": "服务", "cause_kind": "non_quality",
                             "responsible_dept": "客服部"},
                            page=f"/complaints/{complaint.id}")
    page = desk.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "1000.00 元以内部门经理，5000.00 元以内副总经理，以上总经理" in page
    route = f"/complaints/{complaint.id}/approval-route?claim_amount="
    assert "副总经理核决（经理甲）" in desk.get(route + "3000").get_data(as_text=True)
    assert "总经理核决（总经理甲）" in desk.get(route + "5000.01").get_data(as_text=True)
    assert "以上总经理" in desk.get(route + "sNaN").get_data(as_text=True)
    missing = desk.submit(f"/complaints/{complaint.id}/step/investigate",
                          {"cause": "c", "responsible_party": "p", "solution": "s"},
                          page=f"/complaints/{complaint.id}")
    assert missing.status_code == 422 and "请填写：涉及金额" in missing.get_data(as_text=True)
    sent = desk.submit(f"/complaints/{complaint.id}/step/investigate",
                       {"cause": "c", "responsible_party": "p", "solution": "s",
                        "claim_amount": "3000"}, page=f"/complaints/{complaint.id}")
    assert sent.status_code == 302
    assert Complaint.get().approval_level == "deputy"
    text = pdf_text(desk.get(f"/complaints/{complaint.id}/print"))
    assert "3000.00" in text and "副总经理核决" in text


def test_intake_takes_the_plate_the_cause_kind_and_reports_major_ones(login, users, database):
    """Seed 000 第五条 (质量异常 / 非质量异常 as the cause), seed 002 五清楚一报告 (a major complaint
    is reported at once), and the complainant's plate."""
    desk = login("desk")
    unreported = desk.submit("/complaints/new", intake_data(severity="major"))
    assert unreported.status_code == 422
    assert "重大投诉须立即报告" in unreported.get_data(as_text=True)
    assert Complaint.select().count() == 0
    bad_plate = desk.submit("/complaints/new", intake_data(plate="ABC"))
    assert bad_plate.status_code == 422 and Complaint.select().count() == 0
    made = desk.submit("/complaints/new", intake_data(
        severity="major", check_reported="y", plate="粤b 12345", cause_kind="quality"))
    assert made.status_code == 302
    complaint = Complaint.get()
    assert (complaint.plate, complaint.cause_kind) == ("粤B12345", "quality")
    page = desk.get(made.location).get_data(as_text=True)
    assert "粤B12345" in page
    manager = login("manager")
    classified = manager.submit(f"/complaints/{complaint.id}/step/classify",
                                {"nature": "漏水", "responsible_dept": "工程部"},
                                page=made.location)  # the cause kind as taken at intake
    assert classified.status_code == 302
    assert "质量异常 · 漏水" in manager.get(made.location).get_data(as_text=True)
    second = Complaint.create(**{**{f: getattr(complaint, f) for f in (
        "received_at", "complainant", "content", "category", "closure_due", "report_due")},
        "serial": "KS-202611-0099"})
    refused = manager.submit(f"/complaints/{second.id}/step/classify",
                             {"nature": "x", "responsible_dept": "工程部"},
                             page=f"/complaints/{second.id}")
    assert "异常原因（质量/非质量）" in refused.get_data(as_text=True)
    text = pdf_text(desk.get(f"/complaints/{complaint.id}/print"))
    assert "粤B12345" in text and "质量异常" in text


def test_a_case_closed_late_gets_its_treatment_notice_and_a_proposed_penalty(
        login, users, database):
    """治办单 (seed 000 第十四条) for a case whose clocks were met late, the penalty proposed
    from them at the rate a day for the GM to approve, the 奖罚通知单 in three copies, and the
    tracking register (客户埋怨案件登记追踪表) printed."""
    from blueprints.complaints import outcomes, service
    from models import PenaltyNotice, clock
    received = FROZEN - datetime.timedelta(days=30)
    complaint = service.intake(Complaint(received_at=received, complainant="李四",
                                         content="漏水", category="服务质量",
                                         region="in_province"), users["desk"])
    steps = [("classify", "manager", {"nature": "n", "cause_kind": "quality",
                                      "responsible_dept": "工程部"}),
             ("investigate", "desk", {"cause": "c", "responsible_party": "p", "solution": "s",
                                      "claim_amount": 0}),
             ("approve", "gm", {}), ("reply", "desk", {"reply_method": "phone",
                                                      "reply_note": "r"}),
             ("follow_up", "desk", {"satisfaction": 4}),
             ("close", "manager", {"summary": "s", "corrective_action": "a"})]
    for hours, (action, role, data) in enumerate(steps, 1):
        service.apply(complaint, action, users[role], at=received + datetime.timedelta(
            days=18, hours=hours), **data)
    complaint = Complaint.get_by_id(complaint.id)
    late = outcomes.late_clocks(complaint)
    assert {c.key for c in late} >= {"closure", "report"}
    closure = next(c for c in late if c.key == "closure")
    # due 15 working days after intake (8 November, 10:00), closed 11 November 16:00
    assert (closure.due, outcomes.days_late(closure)) == (datetime.datetime(2026, 11, 8, 10), 4)
    expected = sum(outcomes.days_late(c) for c in late) * 50
    manager = login("manager")
    page = manager.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "打印治办单" in page and "按逾期拟定罚扣" in page
    text = pdf_text(manager.get(f"/complaints/{complaint.id}/late-notice"))
    assert "治办单" in text and "结案" in text and f"{expected:.2f}" in text
    done = manager.submit(f"/complaints/{complaint.id}/late-penalty", {},
                          page=f"/complaints/{complaint.id}")
    assert done.status_code == 302
    notice = PenaltyNotice.get()
    assert (notice.for_lateness, notice.amount, notice.target, notice.approved_at) == (
        True, expected, "工程部", None)
    again = manager.submit(f"/complaints/{complaint.id}/late-penalty", {},
                           page=f"/complaints/{complaint.id}")
    assert "已按逾期拟定过罚扣" in manager.get(again.location).get_data(as_text=True)
    assert PenaltyNotice.select().count() == 1
    login("gm").submit(f"/complaints/{complaint.id}/notices/{notice.id}/approve", {},
                       page=f"/complaints/{complaint.id}")
    copies = PdfReader(io.BytesIO(manager.get(
        f"/complaints/{complaint.id}/notices/{notice.id}/print").data))
    assert len(copies.pages) == 3
    assert "会计单位查核" in copies.pages[1].extract_text()
    assert "总经理甲" in copies.pages[2].extract_text()
    open_one = service.intake(Complaint(received_at=clock.now(), complainant="王五",
                                        content="噪音", category="服务质量"), users["desk"])
    assert manager.get(f"/complaints/{open_one.id}/late-notice").status_code == 404
    tracking = pdf_text(manager.get(f"/complaints/tracking/print?start="
                                    f"{received.date()}&end={FROZEN.date()}"))
    assert "客户埋怨案件登记追踪表" in tracking and complaint.serial in tracking
    assert open_one.serial in tracking and "质量异常" in tracking
    assert login("desk").get("/complaints/tracking/print").status_code == 403


def test_a_state_filter_is_written_into_the_sql_and_a_strange_one_finds_nothing(users, database):
    """The list's state, one of STATES, is written into the SQL (PostgreSQL keeps a plan per
    state instead of planning each request: 95 % of complaints are closed); any other value
    is still bound as a parameter, and matches nothing."""
    from blueprints.complaints import service
    from models.complaints import CLOSED
    made = service.intake(Complaint(received_at=NOW, complainant="甲客户", phone="13800001111",
                                    content="久拖未决", category="服务质量",
                                    region="in_province", severity="general"), users["desk"])
    Complaint.update(state=CLOSED, closed_at=NOW).where(Complaint.id == made.id).execute()
    query, _paged = service.filtered("all", users["manager"], state=CLOSED)
    sql, params = query.sql()
    assert "IN ('closed')" in sql and CLOSED not in params
    assert [c.id for c in query] == [made.id]
    strange, _paged = service.filtered("all", users["manager"], state="closed') OR ('1'='1")
    assert "closed') OR ('1'='1" in strange.sql()[1] and list(strange) == []


def test_closed_list_shows_its_rows_without_clocks_and_a_class_first(login, users, database):
    """A list of closed complaints (read without the clock columns) shows each row as the full
    list does: A-class first, serial link, complainant, received, owner, no clock."""
    from blueprints.complaints import service
    from models.complaints import CLOSED
    made = []
    for n, name in enumerate(("甲客户", "乙客户", "丙客户")):
        received = NOW - datetime.timedelta(days=20, hours=n)
        made.append(service.intake(Complaint(received_at=received, complainant=name,
                                             phone="13800001111", content="久拖未决",
                                             category="服务质量", region="in_province",
                                             severity="general"), users["desk"]))
    Complaint.update(state=CLOSED, closed_at=NOW).where(Complaint.id != made[2].id).execute()
    Complaint.update(priority=1).where(Complaint.id == made[0].id).execute()
    manager = login("manager")

    def rows(url):
        return [[cell.get_text(" ", strip=True) for cell in row.select("td")]
                for row in soup(manager.get(url)).select("tbody tr")]
    received = [f"{c.received_at:%Y-%m-%d %H:%M}" for c in made]
    assert rows("/complaints/?view=all&state=closed") == [
        [f"{made[0].serial} A 类客户", f"甲客户 {received[0]}", "服务质量", "结案", "前台/客服甲", "正常"],
        [made[1].serial, f"乙客户 {received[1]}", "服务质量", "结案", "前台/客服甲", "正常"]]
    everything = rows("/complaints/?view=all")
    assert [row[0] for row in everything] == [f"{made[0].serial} A 类客户", made[2].serial,
                                              made[1].serial]
    assert "已超时" in everything[1][5]
