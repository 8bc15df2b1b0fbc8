"""The registers' rules beyond the first three (blueprints/registers/service.py): the phone
numbers' history and pool, the parking queue, the service tally's conversion rate, and the
desk books' actions. Seed 000 (商住大厦客户档案管理制度, forms 31303–31318) and seed 004
(服务统计本: "记录自己服务的客户数量，成交的客户数量运算转化率")."""
import datetime

import pytest

from blueprints.registers import service
from blueprints.registers.engine import REGISTERS_BY_MODEL, RuleError
from models import AuditEntry, clock
from models.registers import (
    LostProperty,
    MailLog,
    PhoneChange,
    PhoneInstall,
    PhoneMove,
    PhoneNumber,
    PhoneTransfer,
    ProblemLog,
    ServiceTally,
    SpaceApplication,
)
from tests.conftest import FROZEN

DAY = FROZEN.date()


def write(model, user, **values):
    return REGISTERS_BY_MODEL[model].write(model(entered_by=user.id, **values), user, new=True)


def days_ago(n):
    return DAY - datetime.timedelta(days=n)


def test_a_numbers_history_follows_install_transfer_change_and_move(app, users, make_customer,
                                                                     database):
    desk = users["desk"]
    first, second = make_customer(name="华润便利店"), make_customer(name="康宁药房")
    with app.test_request_context():
        write(PhoneNumber, desk, number="0755-8690 0001", offer="rent", listed_on=days_ago(20))
        pooled = PhoneNumber.get()
        assert pooled.number == "075586900001" and service.pool_standing(pooled) == "可租/售"
        with pytest.raises(RuleError, match="已在号码池中"):
            write(PhoneNumber, desk, number="075586900001", offer="sale")

        write(PhoneInstall, desk, customer=first, number="075586900001", applied_on=days_ago(10))
        pooled = PhoneNumber.get()
        assert (pooled.taken_by_id, pooled.taken_on) == (first.id, days_ago(10))
        with pytest.raises(RuleError, match="仍在其他用户名下"):
            write(PhoneInstall, desk, customer=second, number="075586900001",
                  applied_on=days_ago(5))
        with pytest.raises(RuleError, match="不在原用户名下"):
            write(PhoneTransfer, desk, number="075586900001", from_customer=second,
                  customer=first, transferred_on=days_ago(4))
        write(PhoneTransfer, desk, number="075586900001", from_customer=first, customer=second,
              transferred_on=days_ago(4))
        assert service.holder_of("075586900001") == second.id
        assert service.holder_of("075586900001", on=days_ago(6)) == first.id
        with pytest.raises(RuleError, match="不在该单元名下"):
            write(PhoneMove, desk, customer=first, number="075586900001", from_place="前台",
                  to_place="经理室", moved_on=days_ago(2))
        write(PhoneMove, desk, customer=second, number="075586900001", from_place="前台",
              to_place="经理室", moved_on=days_ago(2))
        with pytest.raises(RuleError, match="改号须填写新号码"):
            write(PhoneChange, desk, customer=second, number="075586900001", change="number",
                  changed_on=days_ago(1))
        write(PhoneChange, desk, customer=second, number="075586900001", change="number",
              new_number="075586900002", changed_on=days_ago(1))
        # the change of number moves the line: the new number is the customer's from that day
        assert service.holder_of("075586900002") == second.id
        history = [type(e).__name__ for _day, e in service.number_history("075586900001")]
        assert history == ["PhoneNumber", "PhoneInstall", "PhoneTransfer", "PhoneMove",
                           "PhoneChange"]
        assert [type(e).__name__ for _d, e in service.number_history("075586900002")] == [
            "PhoneInstall", "PhoneChange"]
        write(PhoneChange, desk, customer=second, number="075586900002", change="cancel",
              changed_on=DAY)
        assert service.holder_of("075586900002") is None


def test_the_number_history_page_shows_the_holder_and_each_step(login, users, make_customer,
                                                                database, app):
    desk = login("desk")
    shop = make_customer(name="鑫源五金")
    with app.test_request_context():
        write(PhoneInstall, users["desk"], customer=shop, number="075586200009",
              applied_on=days_ago(3))
    install = PhoneInstall.get()
    detail = desk.get(f"/registers/phone-installs/{install.id}").get_data(as_text=True)
    assert 'href="/registers/phones/075586200009"' in detail
    page = desk.get("/registers/phones/075586200009").get_data(as_text=True)
    assert "鑫源五金" in page and "/registers/phone-installs/" in page
    assert "没有该号码的登记" in desk.get("/registers/phones/12345").get_data(as_text=True)


def test_space_applications_wait_in_the_order_they_came(app, users, make_customer, database):
    desk = users["desk"]
    with app.test_request_context():
        early = write(SpaceApplication, desk, customer=make_customer(), wants="rent",
                      applied_on=days_ago(9))
        late = write(SpaceApplication, desk, customer=make_customer(), wants="rent",
                     applied_on=days_ago(2))
        buyer = write(SpaceApplication, desk, customer=make_customer(), wants="buy",
                      applied_on=days_ago(5))
        assert [service.waiting_position(a) for a in (early, late, buyer)] == [1, 2, 1]
        early.state = "given"
        with pytest.raises(RuleError, match="须填写车位号"):
            REGISTERS_BY_MODEL[SpaceApplication].write(early, desk, new=False)
        early.space_given = "B2-030"
        REGISTERS_BY_MODEL[SpaceApplication].write(early, desk, new=False)
        assert service.waiting_position(late) == 1
        assert service.application_facts(early) == []


def test_the_service_tally_gives_the_conversion_rate_one_line_a_day(app, users, database,
                                                                    login):
    desk = users["desk"]
    with app.test_request_context():
        monday = write(ServiceTally, desk, day=days_ago(1), staff=desk.id, visits=10, calls=20,
                       served=16, deals=4)
        write(ServiceTally, desk, day=DAY, staff=desk.id, visits=6, calls=9, served=4, deals=1)
        assert monday.conversion == 25.0
        with pytest.raises(RuleError, match="不能多于服务客户数"):
            write(ServiceTally, desk, day=days_ago(2), staff=desk.id, served=3, deals=4)
        with pytest.raises(RuleError, match="已有该客服的统计"):
            write(ServiceTally, desk, day=DAY, staff=desk.id, served=1, deals=0)
        totals = service.tally_totals(list(ServiceTally.select()))
        assert totals == {"visits": 16, "calls": 29, "served": 20, "deals": 5,
                          "conversion": 25.0}
    assert ServiceTally.select().count() == 2
    page = login("manager").get("/registers/service-tally/").get_data(as_text=True)
    assert "转化率：<strong>25.0%</strong>" in page and "服务客户数：<strong>20</strong>" in page


def test_mail_is_collected_lost_property_claimed_and_problems_reviewed(login, users, database):
    desk = login("desk")
    mail = desk.submit("/registers/mail/new", {"kind": "express", "addressee": "王五",
                                               "received_at": "2026-11-23T09:00"})
    assert mail.status_code == 302
    item = MailLog.get()
    collect = f"/registers/mail/{item.id}/do/collect"
    refused = desk.submit(collect, {"collected_by": " "}, page=mail.location)
    assert refused.status_code == 422 and MailLog.get().collected_at is None
    assert desk.submit(collect, {"collected_by": "王五"}, page=mail.location).status_code == 302
    assert (MailLog.get().collected_by, MailLog.get().collected_at) == ("王五", FROZEN)
    assert "/do/collect" not in desk.get(mail.location).get_data(as_text=True)
    assert desk.submit(collect, {"collected_by": "李四"}, page=mail.location).status_code == 302
    assert MailLog.get().collected_by == "王五"  # offered no more, done once

    found = desk.submit("/registers/lost-property/new", {
        "found_at": "2026-11-23T08:00", "place": "大堂", "item": "黑色雨伞"})
    lost = LostProperty.get()
    claim = f"/registers/lost-property/{lost.id}/do/claim"
    no_id = desk.submit(claim, {"claimed_by": "赵六"}, page=found.location)
    assert "认领须登记证件号码" in no_id.get_data(as_text=True)
    desk.submit(claim, {"claimed_by": "赵六", "claimant_id": "11010519491231002X"},
                page=found.location)
    page = desk.get(found.location).get_data(as_text=True)
    assert "110***********002X" in page and "11010519491231002X" not in page

    desk.submit("/registers/problems/new", {"at": "2026-11-23T08:00",
                                            "problem": "访客不愿出示证件"})
    problem = ProblemLog.get()
    manager = login("manager")
    manager.submit(f"/registers/problems/{problem.id}/do/review", {},
                   page=f"/registers/problems/{problem.id}")
    problem = ProblemLog.get()
    assert (problem.reviewed_by_id, problem.reviewed_at) == (users["manager"].id, FROZEN)
    assert AuditEntry.select().where(AuditEntry.model == "ProblemLog").count() == 2


def test_an_expired_permit_is_said_so_on_the_list(app, users, make_customer, database, login):
    from models.registers import ParkingDeal, ParkingPermit
    desk = users["desk"]
    owner = make_customer()
    with app.test_request_context():
        write(ParkingDeal, desk, space="A-1", kind="sale", customer=owner,
              starts_on=days_ago(400))
        write(ParkingPermit, desk, space="A-1", plate="粤B12345", customer=owner,
              issued_on=days_ago(300), valid_until=days_ago(1))
        write(ParkingPermit, desk, space="A-1", plate="粤B12345", customer=owner,
              issued_on=DAY, valid_until=DAY + datetime.timedelta(days=365))
    rows = login("desk").get("/registers/parking-permits/").get_data(as_text=True)
    assert rows.count("已过期") == 1 and rows.count(">有效<") == 1
    assert clock.today() == DAY


def test_petitions_go_to_the_gm_and_letters_get_a_written_reply(login, users, database):
    """签呈 (seed 000 第九条（十一）: 各部门对客诉处理决议有异议时得以“签呈”专案呈报处理) and
    the written complaint's letter log with its reply printed as a letter."""
    import io

    from pypdf import PdfReader

    from blueprints.complaints import service as complaints
    from models import Complaint
    from models.registers import LetterLog, Petition
    complaint = complaints.intake(Complaint(received_at=FROZEN, complainant="王五",
                                            content="漏水", category="服务质量"), users["desk"])
    sales = login("sales")
    unknown = sales.submit("/registers/petitions/new", {
        "submitted_on": "2026-11-23", "department": "销售部", "complaint_serial": "KS-209901-0001",
        "subject": "对判定有异议", "statement": "非我部责任"})
    assert unknown.status_code == 422 and "没有客诉编号为 KS-209901-0001 的投诉" in \
        unknown.get_data(as_text=True)
    made = sales.submit("/registers/petitions/new", {
        "submitted_on": "2026-11-23", "department": "销售部",
        "complaint_serial": complaint.serial.lower(), "subject": "对判定有异议",
        "statement": "非我部责任"})
    assert made.status_code == 302
    petition = Petition.get()
    page = sales.get(made.location).get_data(as_text=True)
    assert f'href="/complaints/{complaint.id}"' in page and "待总经理批示" in page
    decide = f"/registers/petitions/{petition.id}/do/decide"
    manager = login("manager")
    refused = manager.submit(decide, {"decision": "同意"}, page=made.location)
    assert "签呈须由总经理批示" in refused.get_data(as_text=True)
    assert Petition.get().decided_at is None
    login("gm").submit(decide, {"decision": "同意复核"}, page=made.location)
    assert (Petition.get().decision, Petition.get().decided_by_id) == ("同意复核",
                                                                       users["gm"].id)

    desk = login("desk")
    letter = desk.submit("/registers/letters/new", {
        "received_on": "2026-11-20", "sender": "李先生", "subject": "楼道堆放杂物",
        "summary": "要求清理"})
    entry = LetterLog.get()
    reply = f"/registers/letters/{entry.id}/do/reply"
    assert "请填写书面答复" in desk.submit(reply, {"reply": " "},
                                          page=letter.location).get_data(as_text=True)
    desk.submit(reply, {"reply": "已通知保洁清理完毕。\n欢迎继续监督。"}, page=letter.location)
    entry = LetterLog.get()
    assert (entry.replied_on, entry.replied_by_id) == (DAY, users["desk"].id)
    text = PdfReader(io.BytesIO(desk.get(f"/registers/letters/{entry.id}/print").data)) \
        .pages[0].extract_text()
    assert "李先生：" in text and "已通知保洁清理完毕" in text and "欢迎继续监督" in text
    assert "2026-11-20" in text and "楼道堆放杂物" in text


def test_fees_arrears_fit_outs_and_an_outside_reading_of_a_file(login, users, make_customer,
                                                              database, app):
    """Seed 000 商住大厦客户档案管理制度: 缴费记录…押金, 装修工程文件, 违规事项与欠费记录, and the
    查阅程序 (an outside reader needs a leader's approval; a lent file comes back)."""
    from decimal import Decimal

    from models import AccessLog
    from models.registers import ArchiveLoan, FeeRecord, FitOut
    unit = make_customer(name="赵六")
    desk = login("desk")
    bad = desk.submit("/registers/fees/new", {"customer": str(unit.id), "item": "management",
                                             "period": "11月", "amount_due": "380",
                                             "amount_paid": "200"})
    assert "2026-11 的形式" in bad.get_data(as_text=True)
    no_day = desk.submit("/registers/fees/new", {"customer": str(unit.id), "item": "management",
                                                "period": "2026-11", "amount_due": "380",
                                                "amount_paid": "200"})
    assert "须填写缴费日期" in no_day.get_data(as_text=True)
    made = desk.submit("/registers/fees/new", {"customer": str(unit.id), "item": "management",
                                              "period": "2026-11", "amount_due": "380",
                                              "amount_paid": "200", "paid_on": "2026-11-20"})
    assert made.status_code == 302 and FeeRecord.get().arrears == Decimal("180.00")
    listing = desk.get("/registers/fees/").get_data(as_text=True)
    assert "欠费 180.00 元" in listing and "欠费合计：<strong>180.00</strong>" in listing

    with app.test_request_context():
        works = FitOut(entered_by=users["desk"].id, customer=unit, contractor="顺意装饰",
                       scope="厨卫", starts_on=DAY, ends_on=DAY + datetime.timedelta(days=30),
                       deposit_returned_on=DAY)
        with pytest.raises(RuleError, match="验收后才能退还押金"):
            REGISTERS_BY_MODEL[FitOut].write(works, users["desk"], new=True)
    assert FitOut.select().count() == 0

    asked = desk.submit("/registers/archive-loans/new", {
        "customer": str(unit.id), "requester": "律师事务所", "purpose": "诉讼取证",
        "requested_on": "2026-11-23", "borrow": "y"})
    loan = ArchiveLoan.get()
    approve = f"/registers/archive-loans/{loan.id}/do/approve"
    refused = desk.submit(approve, {}, page=asked.location)
    assert "须经领导批准" in refused.get_data(as_text=True)
    assert ArchiveLoan.get().approved_at is None
    login("manager").submit(approve, {}, page=asked.location)
    loan = ArchiveLoan.get()
    assert (loan.approved_by_id, loan.approved_at) == (users["manager"].id, FROZEN)
    opened = AccessLog.get(AccessLog.action == "open")
    assert (opened.model, opened.record_id, opened.reason) == ("Customer", unit.id, "诉讼取证")
    assert "借出中" in desk.get(asked.location).get_data(as_text=True)
    desk.submit(f"/registers/archive-loans/{loan.id}/do/return", {}, page=asked.location)
    assert ArchiveLoan.get().returned_at == FROZEN
