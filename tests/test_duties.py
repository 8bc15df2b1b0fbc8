"""Issue 23: scheduled duties run by themselves, once per period, in the site's time, each with
its last run and outcome on the admin page."""
import datetime
import json

import pytest

from blueprints.complaints import service as complaints
from models import Complaint, Customer, DutyRun, Notification, clock
from services import duties

D = datetime.datetime


def make_complaint(users, received_at):
    return complaints.intake(Complaint(received_at=received_at, complainant="张三",
                                       phone="13800000000", content="物业电话无人接听",
                                       category="服务质量", region="in_province",
                                       severity="general"), users["desk"])


def told(user, text):
    return [n.text for n in Notification.select().where(Notification.user == user)
            if text in n.text]


def test_each_due_duty_runs_once_a_day_and_reminds_the_late(users, database):
    users["manager"].department = "客服部"
    users["manager"].save()
    late = make_complaint(users, D(2026, 11, 2, 10, 0))  # 现场处理 was due on the 3rd
    make_complaint(users, D(2026, 11, 23, 9, 0))  # nothing due yet
    with clock.frozen(D(2026, 11, 23, 9, 30)):
        ran = {record.duty: record for record in duties.tick()}
    # Due by 09:30: the daily ones; the monthly ones wait for the 1st.
    assert set(ran) == {"complaint_reminders", "birthday_greetings", "ownership_lapse",
                        "daily_digest", "repair_reminders", "holiday_greetings",
                        "visitor_privacy"}
    assert all(record.state == duties.DONE for record in ran.values())
    assert ran["complaint_reminders"].detail == "1 reminded, 1 to the GM"
    message = f"催办：投诉 {late.serial} 已超期，请尽快处理"
    assert told(users["desk"], message) == [message]  # its owner
    assert told(users["manager"], message) == [message]  # the department's manager
    assert told(users["gm"], message) == [message]  # late by more than 24 hours
    # A second tick the same day (or a second server's consumer) does nothing again.
    with clock.frozen(D(2026, 11, 23, 16, 0)):
        assert duties.tick() == []
    assert told(users["desk"], message) == [message]
    assert DutyRun.select().count() == 7
    # The next morning it reminds again.
    with clock.frozen(D(2026, 11, 24, 9, 0)):
        assert "complaint_reminders" in {r.duty for r in duties.tick()}
    assert len(told(users["desk"], message)) == 2


def test_before_its_hour_a_duty_waits(users, database):
    with clock.frozen(D(2026, 11, 23, 1, 59)):
        assert duties.tick() == []
    with clock.frozen(D(2026, 11, 23, 2, 0)):
        assert [r.duty for r in duties.tick()] == ["ownership_lapse"]


def test_the_gm_hears_of_a_late_complaint_only_after_the_escalation_delay(users, database):
    from services import settings as settings_service
    settings_service.store({"complaint_escalate_hours": 72})
    late = make_complaint(users, D(2026, 11, 21, 10, 0))  # 现场处理 due 11-22 10:00
    with clock.frozen(D(2026, 11, 23, 9, 0)):  # 23 hours late
        duties.tick()
    message = f"催办：投诉 {late.serial} 已超期，请尽快处理"
    assert told(users["desk"], message) and not told(users["gm"], message)


def test_on_the_first_the_monthly_reports_are_announced(users, database):
    with clock.frozen(D(2026, 12, 1, 8, 5)):
        ran = {r.duty for r in duties.tick()}
    assert {"complaint_statistics", "vip_monthly_report"} <= ran
    assert told(users["manager"], "2026-11 投诉统计已生成，请于 10 日前确认")
    assert told(users["manager"], "2026-11 会员月报请于 2 日前报送")
    # Each notice opens its report; on the first of January, the report is December's (below).
    assert {(n.endpoint, n.text[:7]) for n in Notification.select().where(
        Notification.user == users["manager"])} == {("complaints.stats", "2026-11"),
                                                     ("vip.monthly", "2026-11")}
    with clock.frozen(D(2026, 12, 2, 8, 5)):
        assert not {"complaint_statistics", "vip_monthly_report"} & {r.duty for r in duties.tick()}
    with clock.frozen(D(2027, 1, 1, 8, 5)):
        duties.tick()
    assert told(users["manager"], "2026-12 会员月报请于 2 日前报送")


def test_unconfirmed_reports_are_reminded_on_their_due_day_and_confirmed_ones_are_not(
        login, users, database):
    """投诉统计 must be confirmed by the 10th, 会员月报 submitted by the 2nd: on that morning
    the managers are reminded of the one not yet signed off."""
    from models import ReportSignoff
    with clock.frozen(D(2026, 12, 1, 10, 0)):
        manager = login("manager")
        page = manager.get("/vip/monthly?month=2026-11").get_data(as_text=True)
        assert "确认已报送本月月报" in page
        manager.submit("/vip/monthly/confirm?month=2026-11", {}, page="/vip/monthly?month=2026-11")
        manager.submit("/vip/monthly/confirm?month=2026-11", {}, page="/vip/monthly?month=2026-11")
        # The running month cannot be confirmed yet.
        early = manager.submit("/complaints/stats/confirm?month=2026-12", {},
                               page="/complaints/stats?month=2026-12")
        assert early.status_code == 302
        page = manager.get("/vip/monthly?month=2026-11").get_data(as_text=True)
        assert "已由 经理甲 于" in page and "确认已报送本月月报" not in page
    assert [(r.report, r.period, r.user.username) for r in ReportSignoff.select()] == [
        ("vip_monthly", "2026-11", "manager")]  # (pressed twice: one sign-off)
    with clock.frozen(D(2026, 12, 2, 9, 0)):
        assert duties.run("vip_monthly_report_reminder").detail == "signed off already"
    with clock.frozen(D(2026, 12, 10, 9, 0)):
        assert duties.run("complaint_statistics_reminder").detail == "1 managers reminded"
    assert told(users["manager"], "2026-11 投诉统计尚未确认，今天是截止日")
    assert not told(users["manager"], "会员月报尚未报送")
    assert not told(users["desk"], "投诉统计尚未确认")
    with clock.frozen(D(2026, 12, 11, 9, 0)):  # after its day it is not made up
        assert duties.run("complaint_statistics_reminder") is None


def test_a_failing_duty_is_recorded_failed_and_its_work_undone(users, database):
    @duties.register("test_failing", "test", "test", duties.daily(0))
    def failing(at):
        Customer.create(name="半途客户", kind="resident")
        raise RuntimeError("gateway down")
    try:
        with clock.frozen(D(2026, 11, 23, 9, 0)):
            record = duties.run("test_failing")
    finally:
        del duties.DUTIES["test_failing"]
    assert (record.state, record.detail) == (duties.FAILED, "RuntimeError: gateway down")
    assert not Customer.select().where(Customer.name == "半途客户").exists()


def test_a_run_cut_off_mid_way_is_marked_failed_not_left_running(users, database):
    stale = DutyRun.create(duty="ownership_lapse", period="2026-11-22", state=duties.RUNNING,
                           started_at=D(2026, 11, 22, 2, 0))
    with clock.frozen(D(2026, 11, 23, 9, 0)):
        duties.tick()
    stale = DutyRun.get_by_id(stale.id)
    assert stale.state == duties.FAILED and "interrupted" in stale.detail


@pytest.mark.parametrize("role, allowed", [("manager", True), ("admin", True), ("desk", False)])
def test_the_admin_page_lists_each_duty_and_runs_one_now(login, users, database, role, allowed):
    browser = login(role)
    page = browser.get("/admin/duties")
    if not allowed:
        assert page.status_code == 403
        return
    text = page.get_data(as_text=True)
    for duty in duties.DUTIES.values():
        assert str(duty.label) in text
    assert "尚未执行" in text
    response = browser.submit("/admin/duties/ownership_lapse/run", {}, page="/admin/duties")
    assert response.status_code == 302
    run = DutyRun.get(DutyRun.duty == "ownership_lapse")
    assert run.state == duties.DONE and run.period.startswith("manual ")
    assert "完成" in browser.get("/admin/duties").get_data(as_text=True)
    assert browser.submit("/admin/duties/no_such_duty/run", {},
                          page="/admin/duties").status_code == 404


def test_the_daily_digest_tells_each_person_what_waits_in_one_notice(users, database,
                                                                     make_customer, login):
    from models import FollowUp, Handover
    from services.customers import create_followup
    create_followup("入住满一年回访", datetime.date(2026, 11, 22), assigned_to=users["desk"])
    Handover.create(shift="night", author=users["manager"], items="快递柜故障",
                    at=D(2026, 11, 23, 7, 50))
    make_customer(name="王五", tier="strategic", owner=users["sales"],
                  created_at=D(2026, 1, 5, 9))
    with clock.frozen(D(2026, 11, 23, 8, 0)):
        record = duties.run("daily_digest")
    assert record.state == duties.DONE
    desk = [n.text for n in Notification.select().where(Notification.user == users["desk"])]
    assert desk == ["今日待办：到期未做的回访 1 个；未确认的交接记录 1 份"]
    sales = [n.text for n in Notification.select().where(Notification.user == users["sales"])]
    assert sales == ["今日待办：应联系的客户 1 位"]
    assert not Notification.select().where(Notification.user == users["engineer"]).exists()
    assert FollowUp.select().count() == 1
    # The desk clerk reading in English reads it in English.
    browser = login("desk")
    browser.get("/lang/en")
    page = browser.get("/notifications").get_data(as_text=True)
    assert "To do today: follow-ups due 1; handovers not acknowledged 1" in page


def test_a_missed_repair_appointment_reminds_the_engineer_and_the_engineering_manager(
        users, database):
    from blueprints.repairs import service as repairs
    from models import RepairRequest
    from services import settings as settings_service
    users["manager"].department = "工程部"
    users["manager"].save()
    order = repairs.register_request(RepairRequest(
        received_at=D(2026, 11, 2, 9, 0), location="3栋大堂", content="大堂灯不亮",
        area="public", preferred_at=D(2026, 11, 3, 14, 0)), users["desk"])
    repairs.step(order, "dispatch", users["desk"], settings_service.load(),
                 engineer=users["engineer"])
    on_time = repairs.register_request(RepairRequest(
        received_at=D(2026, 11, 22, 9, 0), location="5栋电梯厅", content="门禁失灵",
        area="public", preferred_at=D(2026, 11, 24, 9, 0)), users["desk"])
    with clock.frozen(D(2026, 11, 23, 9, 0)):
        record = duties.run("repair_reminders")
    assert record.detail == "1 reminded"
    message = f"催办：工单 {order.serial} 已过预约时间，工程师尚未到场"
    assert told(users["engineer"], message) == [message]
    assert told(users["manager"], message) == [message]
    assert told(users["desk"], "催办：工单") == [] and on_time.serial not in str(
        [n.text for n in Notification.select()])


def test_the_day_before_a_holiday_members_are_greeted_once_and_sent_when_a_gateway_is_set(
        users, database, httpserver):
    from blueprints.vip import notices
    from blueprints.vip import service as vip
    from models import Message, VipCard
    from services import settings as settings_service
    for n, name in enumerate(("李四", "王五")):
        customer = Customer.create(name=name, phone=f"1390000111{n}")
        vip.enrol(VipCard(customer=customer, name=name, phone=f"1390000111{n}",
                          birthday=datetime.date(1990, 3, 15)), users["desk"],
                  settings_service.load(), today=datetime.date(2026, 9, 1))
    with clock.frozen(D(2026, 9, 29, 9, 0)):  # 国庆节 begins on 1 October, not tomorrow
        assert duties.run("holiday_greetings").detail == "0 greetings"
    settings_service.store({"sms_gateway_url": httpserver.url_for("/sms")})
    httpserver.expect_request("/sms", method="POST").respond_with_data("OK")
    with clock.frozen(D(2026, 9, 30, 9, 0)):
        assert duties.run("holiday_greetings").detail == "2 greetings, 2 queued to the gateway"
        assert notices.prepare_holiday_greetings(datetime.date(2026, 9, 30),
                                                 settings_service.load()) == []  # never twice
    assert sorted((m.text, m.for_date, m.state) for m in Message.select()) == [
        ("亲爱的李四，客服台示范物业管理处祝您国庆节快乐！", datetime.date(2026, 10, 1), "sent"),
        ("亲爱的王五，客服台示范物业管理处祝您国庆节快乐！", datetime.date(2026, 10, 1), "sent")]
    assert sorted(json.loads(r.get_data())["phone"] for r, _ in httpserver.log) == [
        "13900001110", "13900001111"]
    # On the holiday's second day nothing begins tomorrow.
    assert notices.holiday_tomorrow(datetime.date(2026, 10, 1)) is None
    assert notices.holiday_tomorrow(datetime.date(2027, 2, 4)) == "春节"  # 除夕 is 5 February 2027


def test_the_consumers_tick_keeps_the_sites_time_not_the_default_zone(users, database):
    """A consumer has no request to set the site's clock: its tick reads the timezone setting.
    17:00 UTC is 01:00 in Shanghai (the default; nothing due) and 18:00 in Berlin."""
    from services import settings as settings_service
    settings_service.store({"site_timezone": "Europe/Berlin"})
    clock.use_zone(clock.DEFAULT_ZONE)  # (a consumer just started)
    with clock.frozen(datetime.datetime(2026, 11, 23, 17, 0, tzinfo=datetime.timezone.utc)):
        ran = set(duties.tick_task.call_local())
    assert {"complaint_reminders", "daily_digest", "ownership_lapse"} <= ran
    assert {r.period for r in DutyRun.select()} == {"2026-11-23"}
