"""Complaint rules: the state machine, every clock, outcomes, returns and monthly statistics."""
import datetime
from decimal import Decimal

import pytest

from blueprints.complaints import deadlines, outcomes, returning, service, statistics
from blueprints.complaints.service import WorkflowError
from models import (
    Complaint,
    ComplaintStep,
    FollowUp,
    Notification,
    ReturnLine,
    ReturnRequest,
)
from tests.conftest import count_queries

D = datetime.datetime
STEPS = [("classify", "manager", {"nature": "服务态度", "cause_kind": "non_quality",
                                  "responsible_dept": "客服部"}),
         ("investigate", "desk", {"cause": "未及时回电", "responsible_party": "前台",
                                  "solution": "致歉并回电", "claim_amount": "0"}),
         ("approve", "gm", {"approval_comment": "同意"}),
         ("reply", "desk", {"reply_method": "phone", "reply_note": "已电话致歉"}),
         ("follow_up", "desk", {"satisfaction": 4}),
         ("close", "manager", {"summary": "已处理", "corrective_action": "培训前台回电时限"})]


def make(users, received_at=D(2026, 11, 2, 10, 0), region="in_province", severity="general",
         **fields):
    values = dict(received_at=received_at, complainant="张三", phone="13800000000",
                  content="物业电话无人接听", category="服务质量", region=region, severity=severity)
    values.update(fields)
    complaint = Complaint(**values)
    return service.intake(complaint, users["desk"])


def test_intake_numbers_owner_and_deadlines(users, database):
    complaint = make(users)
    assert complaint.serial == "KS-202611-0001"
    assert complaint.owner_id == users["desk"].id and complaint.state == "recorded"
    assert complaint.closure_due == D(2026, 11, 17, 10, 0)
    assert complaint.onsite_due == D(2026, 11, 3, 10, 0)
    assert complaint.report_due == D(2026, 11, 5, 10, 0)
    december = make(users, received_at=D(2026, 12, 1, 8, 0))
    assert december.serial == "KS-202612-0001"


def test_overseas_and_out_of_province_deadlines(users, database):
    overseas = make(users, region="overseas")
    assert overseas.closure_due == D(2026, 11, 22, 10, 0) and overseas.onsite_due is None
    out = make(users, region="out_province")
    assert out.closure_due == D(2026, 11, 17, 10, 0)
    assert out.onsite_due == D(2026, 11, 4, 10, 0)


def test_full_workflow_with_the_right_roles(users, database):
    complaint = make(users)
    at = D(2026, 11, 2, 11, 0)
    for action, role, data in STEPS:
        at += datetime.timedelta(hours=1)
        service.apply(complaint, action, users[role], at=at, **data)
    stored = Complaint.get_by_id(complaint.id)
    assert stored.state == "closed" and stored.satisfaction == 4
    assert stored.approved_by_id == users["gm"].id
    actions = [s.action for s in ComplaintStep.select().order_by(ComplaintStep.id)]
    assert actions == ["intake"] + [a for a, _, _ in STEPS]
    followup = FollowUp.get(FollowUp.source == "complaint")  # 100 % 回访 after closure
    assert followup.source_id == complaint.id and followup.assigned_to_id == users["desk"].id
    assert followup.planned_on == datetime.date(2026, 11, 3)


@pytest.mark.parametrize("steps_done, action, role, message", [
    (0, "close", "manager", "不能执行“结案”"),           # close before approval
    (2, "approve", "desk", "超出您的核决权限"),  # (the 核决 levels: test_approval_by_amount)
    (2, "send_back", "sales", "超出您的核决权限"),
    (0, "investigate", "desk", "不能执行“调查”"),       # investigate before classification
    (1, "classify", "manager", "不能执行“判定”"),        # classify twice
    (0, "classify", "desk", "您的角色不能执行“判定”"),
    (3, "follow_up", "desk", "不能执行“回访”"),           # follow-up before the reply
    (5, "close", "desk", "您的角色不能执行“结案”"),
    (4, "invalidate", "manager", "不能执行“判定不成立”"),  # too late to invalidate
])
def test_illegal_steps_are_refused(users, database, steps_done, action, role, message):
    complaint = make(users)
    for name, who, data in STEPS[:steps_done]:
        service.apply(complaint, name, users[who], **data)
    state = complaint.state
    with pytest.raises(WorkflowError) as refused:
        service.apply(complaint, action, users[role], **dict(STEPS[-1][2], **STEPS[0][2],
                                                             satisfaction=3,
                                                             invalid_reason="x"))
    assert message in str(refused.value)
    assert Complaint.get_by_id(complaint.id).state == state


def test_missing_fields_are_named(users, database):
    complaint = make(users)
    with pytest.raises(WorkflowError) as refused:
        service.apply(complaint, "classify", users["manager"], nature="")
    assert "性质" in str(refused.value) and "责任部门" in str(refused.value)


def test_invalid_complaint_closes_with_reason(users, database):
    complaint = make(users)
    service.apply(complaint, "invalidate", users["manager"], invalid_reason="非本公司产品")
    stored = Complaint.get_by_id(complaint.id)
    assert stored.state == "invalid" and stored.valid is False and stored.closed_at
    assert service.allowed_actions(stored, users["gm"]) == []
    # judged invalid, it is followed up all the same: 100 % 回访 means every complaint
    followup = FollowUp.get(FollowUp.source == "complaint")
    assert followup.source_id == complaint.id and followup.planned_on == datetime.date(2026, 11, 24)
    assert followup.title == f"投诉判定不成立回访：{complaint.serial}"


def test_send_back_reopens_investigation(users, database):
    complaint = make(users)
    for name, who, data in STEPS[:2]:
        service.apply(complaint, name, users[who], **data)
    service.apply(complaint, "send_back", users["gm"], approval_comment="原因不清")
    assert complaint.state == "classified" and complaint.investigated_at is None


def test_major_complaint_notifies_department_manager_and_gm(users, database):
    users["manager"].department = "客服部"
    users["manager"].save()
    make(users, severity="major", responsible_dept="客服部")
    notified = {n.user_id for n in Notification.select()}
    assert notified == {users["manager"].id, users["gm"].id}


def test_hand_over_changes_owner(users, database):
    complaint = make(users)
    service.hand_over(complaint, users["sales"], users["desk"], "销售跟进")
    assert Complaint.get_by_id(complaint.id).owner_id == users["sales"].id
    assert Notification.get().user_id == users["sales"].id


# ---- clocks --------------------------------------------------------------------------------

def clock(complaint, key, at):
    return next(c for c in deadlines.clocks(complaint, at) if c.key == key)


def test_clocks_before_national_day(users, database):
    complaint = make(users, received_at=D(2026, 9, 29, 9, 0))
    assert clock(complaint, "closure", D(2026, 10, 13, 8, 0)).status == "ok"
    assert clock(complaint, "closure", D(2026, 10, 14, 9, 0)).status == "soon"
    assert clock(complaint, "closure", D(2026, 10, 14, 9, 1)).status == "overdue"
    assert clock(complaint, "onsite", D(2026, 9, 30, 8, 0)).status == "soon"
    late = clock(complaint, "onsite", D(2026, 9, 30, 10, 0))
    assert late.status == "overdue" and late.delta == datetime.timedelta(hours=1)
    service.apply(complaint, "classify", users["manager"], at=D(2026, 9, 30, 15, 0),
                  nature="质量", cause_kind="quality", responsible_dept="工程部")
    # 1 working day after 30 September is 8 October: the holiday does not count.
    assert complaint.proposal_due == D(2026, 10, 8, 15, 0)
    assert clock(complaint, "proposal", D(2026, 10, 7, 23, 0)).status == "soon"


def test_proposal_deadline_lands_on_a_tiaoxiu_saturday(users, database):
    complaint = make(users, received_at=D(2026, 10, 9, 9, 0))
    service.apply(complaint, "classify", users["manager"], at=D(2026, 10, 9, 16, 0),
                  nature="质量", cause_kind="quality", responsible_dept="工程部")
    assert complaint.proposal_due == D(2026, 10, 10, 16, 0)  # Saturday, a make-up workday


def test_met_clocks(users, database):
    complaint = make(users)
    service.record_onsite(complaint, users["desk"], at=D(2026, 11, 3, 11, 0))
    assert clock(complaint, "onsite", D(2026, 11, 4)).status == "met_late"
    service.apply(complaint, "classify", users["manager"], at=D(2026, 11, 2, 12, 0),
                  nature="n", cause_kind="quality", responsible_dept="客服部")
    service.apply(complaint, "investigate", users["desk"], at=D(2026, 11, 3, 9, 0),
                  cause="c", responsible_party="p", solution="s", claim_amount=0)
    assert clock(complaint, "proposal", D(2026, 11, 10)).status == "met"
    assert clock(complaint, "report", D(2026, 11, 10)).status == "met"


def test_closing_stops_the_clocks_it_never_met(users, database):
    """A complaint found invalid before its on-site visit or report is no longer due for them;
    one closed after a deadline it never met shows that clock missed, by as much as it was late
    at closing, however long ago: not overdue and growing, not in the reminder."""
    early = make(users, received_at=D(2026, 11, 2, 10, 0))
    service.apply(early, "invalidate", users["manager"], at=D(2026, 11, 2, 12, 0),
                  invalid_reason="非本公司产品")
    assert {c.key: c.status for c in deadlines.clocks(early, D(2027, 1, 1))} == {"closure": "met"}

    late = make(users, received_at=D(2026, 11, 2, 10, 0))
    onsite_due = late.onsite_due
    service.apply(late, "invalidate", users["manager"], at=onsite_due + datetime.timedelta(
        hours=5), invalid_reason="重复投诉")
    for at in (D(2026, 12, 1), D(2029, 1, 1)):
        onsite = clock(late, "onsite", at)
        assert (onsite.status, onsite.delta) == ("missed", datetime.timedelta(hours=5))
        assert not deadlines.is_overdue(late, at)

    closed = make(users, received_at=D(2026, 11, 2, 10, 0))
    for name, who, data in STEPS:
        service.apply(closed, name, users[who], at=D(2026, 11, 20, 9, 0), **data)
    progress = clock(closed, "progress", D(2028, 1, 1))  # no report in the first week
    assert (progress.status, progress.delta) == ("missed",
                                                 D(2026, 11, 20, 9, 0) - D(2026, 11, 9, 10, 0))
    assert clock(closed, "report", D(2028, 1, 1)).status == "met_late"


def test_a_list_shows_the_pressing_clocks_and_works_out_none_for_finished(users, database):
    """What a list shows of each complaint is its late and nearly late clocks, the same as
    working out all its clocks; for finished complaints that is none, so their progress reports
    are not even read."""
    late = make(users, received_at=D(2026, 11, 2, 10, 0))
    fresh = make(users, received_at=D(2026, 11, 8, 8, 0))
    closed = make(users, received_at=D(2026, 11, 2, 10, 0))
    for name, who, data in STEPS:
        service.apply(closed, name, users[who], at=D(2026, 11, 20, 9, 0), **data)
    invalid = make(users, received_at=D(2026, 11, 2, 10, 0))
    service.apply(invalid, "invalidate", users["manager"], at=D(2026, 11, 9, 12, 0),
                  invalid_reason="重复投诉")
    rows = [late, fresh, closed, invalid]
    for at in (D(2026, 11, 8, 9, 0), D(2026, 11, 30)):
        pressing = deadlines.pressing_clocks(rows, at)
        for complaint in rows:
            assert pressing[complaint.id] == [c for c in deadlines.clocks(complaint, at)
                                              if c.status in ("overdue", "soon")]
    assert pressing[late.id] and pressing[closed.id] == [] and pressing[invalid.id] == []
    with count_queries() as finished_only:
        deadlines.pressing_clocks([closed, invalid], at)
    assert finished_only.count == 0


def test_progress_twice_in_every_seven_days(users, database):
    complaint = make(users, received_at=D(2026, 11, 2, 10, 0))
    assert clock(complaint, "progress", D(2026, 11, 5)).status == "ok"
    assert clock(complaint, "progress", D(2026, 11, 9, 9, 0)).status == "soon"
    assert clock(complaint, "progress", D(2026, 11, 9, 11, 0)).status == "overdue"
    service.record_progress(complaint, users["desk"], "phone", "正在调查", at=D(2026, 11, 3))
    service.record_progress(complaint, users["desk"], "phone", "方案待批", at=D(2026, 11, 6))
    assert clock(complaint, "progress", D(2026, 11, 9, 11, 0)).status == "ok"
    second_week = clock(complaint, "progress", D(2026, 11, 16, 11, 0))
    assert second_week.status == "overdue" and second_week.due == D(2026, 11, 16, 10, 0)


def test_overdue_and_due_soon_lists(users, database):
    late = make(users, received_at=D(2026, 11, 1, 8, 0))
    soon = make(users, received_at=D(2026, 11, 2, 8, 0), region="overseas")
    for complaint in (late, soon):
        service.record_onsite(complaint, users["desk"], at=complaint.received_at)
        service.apply(complaint, "classify", users["manager"], at=complaint.received_at,
                      nature="n", cause_kind="quality", responsible_dept="d")
        service.apply(complaint, "investigate", users["desk"], at=complaint.received_at,
                      cause="c", responsible_party="p", solution="s", claim_amount=0)
    # No progress reports: the first week runs out at 8:00 on the 8th and the 9th.
    at = D(2026, 11, 8, 9, 0)
    assert [c.id for c in deadlines.overdue_list(at)] == [late.id]
    assert [c.id for c in deadlines.due_soon_list(at)] == [soon.id]
    for when in (D(2026, 11, 8, 9, 30), D(2026, 11, 8, 9, 40)):
        service.record_progress(soon, users["desk"], "phone", "进展", at=when)
    assert deadlines.due_soon_list(D(2026, 11, 8, 10, 0)) == []


def test_next_due_is_the_earliest_deadline_not_met(users, database):
    complaint = make(users, received_at=D(2026, 11, 2, 10, 0))  # in province: on site in 24 h
    assert complaint.next_due == complaint.onsite_due == D(2026, 11, 3, 10, 0)
    service.record_onsite(complaint, users["desk"], at=D(2026, 11, 2, 15, 0))
    assert Complaint.get_by_id(complaint.id).next_due == D(2026, 11, 5, 10, 0)  # the report
    service.apply(complaint, "classify", users["manager"], at=D(2026, 11, 2, 16, 0),
                  nature="n", cause_kind="quality", responsible_dept="d")
    service.apply(complaint, "investigate", users["desk"], at=D(2026, 11, 3, 9, 0),
                  cause="c", responsible_party="p", solution="s", claim_amount=0)
    assert complaint.next_due == D(2026, 11, 9, 10, 0)  # the first week's progress reports
    for day in (3, 6, 10, 12):
        service.record_progress(complaint, users["desk"], "phone", "进展", at=D(2026, 11, day))
    assert Complaint.get_by_id(complaint.id).next_due == D(2026, 11, 17, 10, 0)  # closure
    from models.complaints import _REPORT_MOMENTS
    # (A query that binds a moment is written anew each time: the moment is converted to UTC.)
    assert all(_REPORT_MOMENTS.compiled.values())
    for action, role, fields in STEPS[2:]:
        service.apply(complaint, action, users[role], **fields)
    assert Complaint.get_by_id(complaint.id).next_due is None  # closed


def test_next_due_filled_for_complaints_written_without_the_models(users, database):
    """After an upgrade (schema step 4) or rows written by hand, open complaints get theirs."""
    from models.complaints import refresh_next_due
    open_one, closed = make(users), make(users)
    for action, role, fields in STEPS:
        service.apply(closed, action, users[role], **fields)
    service.record_progress(open_one, users["desk"], "phone", "进展", at=D(2026, 11, 3))
    expected = Complaint.get_by_id(open_one.id).next_due
    assert expected == D(2026, 11, 3, 10, 0)
    Complaint.update(next_due=None).execute()
    refresh_next_due()
    assert [(c.id, c.next_due) for c in Complaint.select().order_by(Complaint.id)] == [
        (open_one.id, expected), (closed.id, None)]


def test_late_and_soon_lists_match_every_open_complaint_clock_by_clock(users, database):
    """The lists read only complaints with a deadline within a day, and the home page counts
    them, from next_due; both must agree with the clocks of every open complaint, at any
    moment, also exactly on a deadline."""
    import random
    rng = random.Random(7)
    for n in range(40):
        received = D(2026, 10, 1, 8, 0) + datetime.timedelta(hours=rng.randrange(0, 24 * 40))
        complaint = make(users, received_at=received,
                         region=rng.choice(["in_province", "out_province", "overseas"]))
        if rng.random() < 0.5:
            service.record_onsite(complaint, users["desk"],
                                  at=received + datetime.timedelta(hours=rng.randrange(1, 60)))
        for _ in range(rng.randrange(0, 6)):
            service.record_progress(complaint, users["desk"], "phone", "进展",
                                    at=received + datetime.timedelta(hours=rng.randrange(1, 500)))
    # Moments on either side of some complaints' next deadlines, where a list would go wrong
    # if next_due were ever later than a deadline not met.
    every_complaint = list(Complaint.select().order_by(Complaint.id))
    edges = [clock.due + datetime.timedelta(minutes=m) for c in every_complaint[::4]
             for clock in deadlines.clocks(c, D(2026, 10, 1)) for m in (-60, 0, 1)]
    Complaint.update(next_due=None).where(  # as if written by hand
        Complaint.id.in_([c.id for c in every_complaint[::5]])).execute()
    for at in [D(2026, 10, 12), D(2026, 10, 20, 13, 30), D(2026, 11, 9, 9, 0)] + edges:
        every = {c.id: {k.status for k in deadlines.clocks(c, at)}
                 for c in deadlines.open_complaints().order_by(Complaint.closure_due)}
        late = [i for i, states in every.items() if "overdue" in states]
        soon = [i for i, states in every.items() if "soon" in states and i not in late]
        overdue, due_soon = deadlines.overdue_and_soon(at)
        assert ([c.id for c in overdue], [c.id for c in due_soon]) == (late, soon)
        assert deadlines.overdue_and_soon_counts(at) == (len(late), len(soon))  # the home page
        assert late or soon  # the moments chosen do find some


# ---- outcomes and returns ------------------------------------------------------------------

def test_responsibility_split_must_total_100(users, database):
    complaint = make(users)
    with pytest.raises(WorkflowError, match="合计必须为 100%，现为 90%"):
        outcomes.set_shares(complaint, [("制造部门", "60"), ("业务部门", "30")], users["manager"])
    with pytest.raises(WorkflowError, match="同一部门"):
        outcomes.set_shares(complaint, [("制造部门", "50"), ("制造部门", "50")], users["manager"])
    with pytest.raises(WorkflowError):
        outcomes.set_shares(complaint, [("制造部门", "120"), ("业务部门", "-20")], users["manager"])
    assert outcomes.set_shares(complaint, [("制造部门", "70"), ("业务部门", "30"), ("", "")],
                              users["manager"]) == [("制造部门", 70), ("业务部门", 30)]
    assert sum(s.percent for s in complaint.shares) == 100


def test_penalty_notice_needs_the_gm(users, database):
    complaint = make(users)
    notice = outcomes.propose_notice(complaint, users["manager"], "penalty", "制造部门",
                                    Decimal("200.00"), "批量质量问题")
    with pytest.raises(WorkflowError):
        outcomes.approve_notice(notice, users["manager"])
    outcomes.approve_notice(notice, users["gm"])
    assert notice.approved_by_id == users["gm"].id


def test_recomplaint_links_original(users, database):
    """Only a customer who has had the result can reject it: a crafted request before the
    reply opens nothing."""
    original = make(users)
    with pytest.raises(WorkflowError, match="答复客户后"):
        service.recomplain(original, users["desk"], "还没答复就来")
    assert Complaint.select().count() == 1
    at = D(2026, 11, 2, 11, 0)
    for action, role, data in STEPS[:4]:
        at += datetime.timedelta(hours=1)
        service.apply(original, action, users[role], at=at, **data)
    fresh = service.recomplain(Complaint.get_by_id(original.id), users["desk"], "客户不接受赔偿金额")
    assert fresh.parent_id == original.id and fresh.serial == "KS-202611-0002"
    assert fresh.state == "recorded"


def test_return_across_calendar_year_is_refused(users, database):
    request = ReturnRequest(customer_name="张三", area_manager="华南区 陈经理",
                            purchase_date=datetime.date(2025, 12, 28),
                            requested_at=D(2026, 1, 3, 10, 0), reason="不想要了")
    with pytest.raises(WorkflowError, match="2025"):
        returning.create_return(request, [ReturnLine(item="电水壶", quantity=1)], users["desk"])
    assert ReturnRequest.select().count() == 0
    same_year = ReturnRequest(customer_name="张三", area_manager="华南区 陈经理",
                              purchase_date=datetime.date(2026, 1, 2),
                              requested_at=D(2026, 1, 3, 10, 0), reason="漏水", quality=True)
    returning.create_return(same_year, [ReturnLine(item="电水壶", quantity=1)], users["desk"])
    assert same_year.serial == "TH-202601-0001"
    assert returning.freight_payer(True) == "company" and returning.freight_payer(False) == "customer"


def test_return_steps_and_clocks(users, database):
    request = ReturnRequest(customer_name="张三", area_manager="华南区 陈经理",
                            purchase_date=datetime.date(2026, 11, 1),
                            requested_at=D(2026, 11, 2), reason="漏水", quality=True)
    returning.create_return(request, [ReturnLine(item="电水壶", quantity=2)], users["desk"])
    with pytest.raises(WorkflowError):
        returning.return_step(request, "receive", users["desk"])
    with pytest.raises(WorkflowError):
        returning.return_step(request, "approve", users["engineer"])
    returning.return_step(request, "approve", users["desk"])
    returning.return_step(request, "receive", users["desk"], at=D(2026, 11, 3, 9, 0))
    inspect, settle = returning.return_clocks(request, at=D(2026, 11, 6, 10, 0))
    assert (inspect.due, inspect.status) == (D(2026, 11, 6, 9, 0), "overdue")
    assert (settle.due, settle.status) == (D(2026, 11, 8, 9, 0), "ok")
    returning.return_step(request, "inspect", users["desk"], note="确认漏水", at=D(2026, 11, 5))
    returning.return_step(request, "settle", users["desk"], note="已换新", at=D(2026, 11, 7))
    inspect, settle = returning.return_clocks(request, at=D(2026, 11, 9))
    assert (inspect.status, settle.status) == ("met", "met")


def test_returns_need_the_area_managers_sign_off_and_batches_are_confirmed_in_5_days(
        users, database):
    """Seed 004 售后服务: 凡…未经办事处经理或区域经理签字确认的…返厂产品一律不予受理 (第四条);
    a batch quality objection is confirmed within five days of the claim (第二条)."""
    unsigned = ReturnRequest(customer_name="张三", purchase_date=datetime.date(2026, 11, 1),
                             requested_at=D(2026, 11, 2), reason="漏水", quality=True)
    with pytest.raises(WorkflowError, match="区域经理"):
        returning.create_return(unsigned, [ReturnLine(item="电水壶", quantity=1)], users["desk"])
    assert ReturnRequest.select().count() == 0
    batch = ReturnRequest(customer_name="经销商甲", area_manager="华南区 陈经理", batch=True,
                          purchase_date=datetime.date(2026, 11, 1), requested_at=D(2026, 11, 2),
                          reason="整批漏水", quality=True)
    returning.create_return(batch, [ReturnLine(item="电水壶", quantity=200)], users["desk"])
    (confirm,) = returning.return_clocks(batch, at=D(2026, 11, 8))
    assert (confirm.key, confirm.due, confirm.status) == ("batch", D(2026, 11, 7), "overdue")
    with pytest.raises(WorkflowError, match="认定结论"):
        returning.confirm_batch(batch, users["engineer"], " ")
    returning.confirm_batch(batch, users["engineer"], "密封圈批次不良", at=D(2026, 11, 6))
    (confirm,) = returning.return_clocks(batch, at=D(2026, 11, 8))
    assert confirm.status == "met" and batch.batch_note == "密封圈批次不良"
    with pytest.raises(WorkflowError, match="已认定"):
        returning.confirm_batch(batch, users["engineer"], "again")


# ---- monthly statistics --------------------------------------------------------------------

def test_monthly_statistics_computed_by_hand(users, database):
    # October 2026: three complaints received, two closed in October (one late), one invalid.
    a = make(users, received_at=D(2026, 10, 8, 9, 0), category="服务质量",
             responsible_dept="客服部")
    b = make(users, received_at=D(2026, 10, 12, 9, 0), category="产品质量", severity="major",
             responsible_dept="制造部门")
    c = make(users, received_at=D(2026, 10, 20, 9, 0), category="服务质量")
    make(users, received_at=D(2026, 9, 1, 9, 0), category="服务质量")  # open, overdue by October
    service.apply(c, "invalidate", users["manager"], invalid_reason="误会",
                  at=D(2026, 10, 21, 9, 0))
    for complaint, close_at, score in ((a, D(2026, 10, 18, 9, 0), 5),
                                       (b, D(2026, 10, 30, 9, 0), 3)):
        at = complaint.received_at
        for action, role, data in STEPS:
            at += datetime.timedelta(hours=1)
            if action == "follow_up":
                data = {"satisfaction": score}
            if action == "classify":
                data = {"nature": "n", "cause_kind": "non_quality",
                        "responsible_dept": complaint.responsible_dept}
            service.apply(complaint, action, users[role],
                          at=close_at if action == "close" else at, **data)
    stats = statistics.monthly_stats(2026, 10)
    assert stats.received == 3
    assert dict(stats.by_category) == {"服务质量": 2, "产品质量": 1}
    assert dict(stats.by_severity) == {"general": 2, "major": 1}
    assert dict(stats.by_department) == {"客服部": 1, "制造部门": 1, "—": 1}
    assert stats.closed == 2 and stats.closed_on_time == 1 and stats.on_time_rate == 50.0
    assert stats.mean_days == 14.0   # (10 days + 18 days) / 2
    assert stats.overdue == 1         # the September complaint still open at month end
    assert stats.satisfaction == 4.0 and stats.satisfaction_count == 2
    assert stats.invalid == 1
    # the closed cases (seed 000 第九条（九）): by category, responsibility ratios, penalties
    assert dict(stats.closed_by_category) == {"服务质量": 1, "产品质量": 1}
    outcomes.set_shares(a, [("客服部", 60), ("工程部", 40)], users["manager"])
    outcomes.set_shares(b, [("制造部门", 100)], users["manager"])
    fine = outcomes.propose_notice(b, users["manager"], "penalty", "制造部门", Decimal("300"),
                                  "漏检")
    outcomes.propose_notice(a, users["manager"], "penalty", "客服部", Decimal("50"), "未批准的")
    outcomes.approve_notice(fine, users["gm"])
    stats = statistics.monthly_stats(2026, 10)
    assert stats.responsibility == [("制造部门", 1, 50.0), ("客服部", 1, 30.0),
                                    ("工程部", 1, 20.0)]  # shares over the 2 closed cases
    assert stats.penalties == [("制造部门", 1, Decimal("300.00"))]
    assert stats.penalty_total == Decimal("300.00")
    assert [(n.target, n.complaint.serial) for n in statistics.staff_notice(2026, 10)] == [
        ("制造部门", b.serial)]
    assert statistics.staff_notice(2026, 11) == []


def test_approval_by_amount(users, database):
    """核决权限 (seed 000, 客户投诉管理制度 第九条（五）（十）): the solution's amount decides who
    approves it: the department's manager, the 副总经理 named in the settings, or the GM; a
    higher level may decide a lower one's case, nobody a higher one's."""
    from services import accounts
    from services import settings as settings_service
    deputy = accounts.create_user("deputy", "副总甲", "manager", "secret-pass-1",
                                  department="总经理室")
    settings_service.store({"complaint_deputy": "deputy"}, users["admin"])
    assert settings_service.load()["complaint_approval_limits"] == {"manager": "2000",
                                                                    "deputy": "20000"}

    def investigated(amount):
        complaint = make(users)
        service.apply(complaint, "classify", users["manager"], nature="n", cause_kind="quality",
                      responsible_dept="客服部")
        service.apply(complaint, "investigate", users["desk"], cause="c", responsible_party="p",
                      solution="s", claim_amount=amount)
        return Complaint.get_by_id(complaint.id)

    small, middle, large = investigated("2000"), investigated("2000.01"), investigated(20001)
    assert [c.approval_level for c in (small, middle, large)] == ["manager", "deputy", "gm"]
    assert (small.claim_amount, middle.claim_amount) == (Decimal("2000.00"), Decimal("2000.01"))
    assert service.whose_turn(middle) == "待副总经理核决（副总甲）"
    with pytest.raises(WorkflowError, match="超出您的核决权限：此案由副总经理核决（副总甲）"):
        service.apply(middle, "approve", users["manager"])
    with pytest.raises(WorkflowError, match="总经理核决"):
        service.apply(large, "approve", deputy)
    assert "approve" not in service.allowed_actions(large, deputy)
    assert service.allowed_actions(middle, deputy) == ["approve", "send_back"]
    service.apply(small, "approve", users["manager"])
    service.apply(middle, "approve", deputy)
    service.apply(large, "approve", users["gm"])
    assert [Complaint.get_by_id(c.id).approved_by_id for c in (small, middle, large)] == [
        users["manager"].id, deputy.id, users["gm"].id]
    # each level's approvers were told, and only they
    told = {n.user_id for n in Notification.select().where(Notification.message.contains("待审批"))}
    assert told == {users["manager"].id, deputy.id, users["gm"].id}
    with pytest.raises(WorkflowError, match="涉及金额须为数字"):
        investigated("sNaN")
    with pytest.raises(WorkflowError, match="请填写：涉及金额"):
        investigated("")


def test_without_a_deputy_the_gm_decides_the_middle_level(users, database):
    complaint = make(users)
    service.apply(complaint, "classify", users["manager"], nature="n", cause_kind="quality",
                  responsible_dept="客服部")
    service.apply(complaint, "investigate", users["desk"], cause="c", responsible_party="p",
                  solution="s", claim_amount=5000)
    assert service.whose_turn(complaint) == f"待副总经理核决（{users['gm'].display_name}）"
    context = service.route_context(complaint, "25000")
    assert context["route"][0] == "gm" and context["limits"] == (Decimal("2000"),
                                                                  Decimal("20000"))
    assert service.route_context(complaint, "abc")["route"] is None


def test_the_composite_opinion_is_due_a_working_day_after_the_reply(users, database):
    """Seed 000 第九条（五）: 接到…交涉结果…后,应于一日内…作成综合看法."""
    from blueprints.complaints.deadlines import clocks
    complaint = make(users, received_at=D(2026, 11, 2, 10, 0))
    with pytest.raises(WorkflowError, match="答复客户后"):
        service.record_opinion(complaint, users["manager"], "太早")
    at = D(2026, 11, 2, 11, 0)
    for action, role, data in STEPS[:4]:
        at += datetime.timedelta(hours=1)
        service.apply(complaint, action, users[role], at=D(2026, 11, 6, 16, 0)
                      if action == "reply" else at, **data)  # replied on a Friday
    complaint = Complaint.get_by_id(complaint.id)
    assert complaint.opinion_due == D(2026, 11, 9, 16, 0)  # the next working day, Monday
    opinion = {c.key: c for c in clocks(complaint, D(2026, 11, 9, 17, 0))}["opinion"]
    assert opinion.status == "overdue"
    service.record_onsite(complaint, users["desk"], at=D(2026, 11, 2, 15, 0))
    for day in (3, 5):
        service.record_progress(complaint, users["desk"], "phone", "进展", at=D(2026, 11, day))
    assert Complaint.get_by_id(complaint.id).next_due == complaint.opinion_due  # the nearest
    service.record_opinion(complaint, users["manager"], "业务与工厂意见一致，同意结案",
                           at=D(2026, 11, 9, 18, 0))
    complaint = Complaint.get_by_id(complaint.id)
    opinion = {c.key: c for c in clocks(complaint, D(2026, 11, 10))}["opinion"]
    assert (opinion.status, complaint.opinion_by_id) == ("met_late", users["manager"].id)
    assert ComplaintStep.select().where(ComplaintStep.action == "opinion").count() == 1
