"""Reception rules: the rotation, the night window, serials, follow-ups, visit escalation."""
import datetime

import pytest

from blueprints.reception import service
from blueprints.reception.service import Assignment, is_night, next_receiver
from models import Customer, FollowUp, RotationTurn, TimelineEntry, Visit
from models.reception import (
    ABSENT,
    BUSY,
    COVERING,
    PRESENT,
    REFERRAL,
    RETURNING,
    WALK_IN,
    CustomerVisit,
    Referral,
)
from services import settings as settings_service
from services.customers import create_followup

D = datetime.datetime
A, B, C, E = 1, 2, 3, 4
ALL_IN = [(A, PRESENT), (B, PRESENT), (C, PRESENT)]


@pytest.mark.parametrize("case, slots, last, owner, referrer, expected", [
    ("first walk-in of the day", ALL_IN, None, None, None, Assignment(A, True, WALK_IN)),
    ("next in order", ALL_IN, A, None, None, Assignment(B, True, WALK_IN)),
    ("wrap-around", ALL_IN, C, None, None, Assignment(A, True, WALK_IN)),
    ("skip absent", [(A, PRESENT), (B, ABSENT), (C, PRESENT)], A, None, None,
     Assignment(C, True, WALK_IN)),
    ("skip busy and wrap", [(A, PRESENT), (B, PRESENT), (C, BUSY)], B, None, None,
     Assignment(A, True, WALK_IN)),
    ("returning customer to owner, no turn", ALL_IN, A, C, None, Assignment(C, False, RETURNING)),
    ("owner busy: next free covers, no turn", [(A, PRESENT), (B, PRESENT), (C, BUSY)], A, C, None,
     Assignment(B, False, COVERING)),
    ("owner not on the floor today", ALL_IN, B, E, None, Assignment(C, False, COVERING)),
    ("referral to the staff who registered it", ALL_IN, None, None, B,
     Assignment(B, False, REFERRAL)),
    ("referral beats ownership", ALL_IN, None, C, B, Assignment(B, False, REFERRAL)),
    ("staff added mid-day gets a turn after the last", ALL_IN + [(E, PRESENT)], C, None, None,
     Assignment(E, True, WALK_IN)),
    ("last turn-taker since removed: start from the top", ALL_IN, E, None, None,
     Assignment(A, True, WALK_IN)),
    ("nobody free", [(A, ABSENT), (B, BUSY)], A, None, None, None),
    ("empty rotation", [], None, None, None, None),
])
def test_next_receiver(case, slots, last, owner, referrer, expected):
    assert next_receiver(slots, last, owner=owner, referrer=referrer) == expected, case


def test_every_reception_counts_one_turn_whatever_its_outcome(users, database):
    day = datetime.date(2026, 11, 23)
    sales, sales2 = users["sales"], users["desk"]
    service.add_to_rotation(day, sales)
    service.add_to_rotation(day, sales2)
    owned = Customer.create(name="老客户", phone="13800000001", owner=sales2)
    receivers = [service.receive(day, users["manager"], visitor_name="新客甲").user_id,
                 service.receive(day, users["manager"], customer=owned).user_id,
                 service.receive(day, users["manager"], visitor_name="新客乙").user_id,
                 service.receive(day, users["manager"], visitor_name="新客丙").user_id]
    assert receivers == [sales.id, sales2.id, sales2.id, sales.id]
    assert service.turn_counts(day) == {sales.id: 2, sales2.id: 1}
    assert [t.consumes_turn for t in RotationTurn.select().order_by(RotationTurn.id)] == [
        True, False, True, True]


def test_referral_is_used_once(users, database):
    day = datetime.date(2026, 11, 23)
    for role in ("sales", "desk"):
        service.add_to_rotation(day, users[role])
    referral = Referral.create(staff=users["desk"], name="王先生", expected_on=day)
    turn = service.receive(day, users["manager"], referral=referral)
    assert (turn.user_id, turn.kind, turn.consumes_turn) == (users["desk"].id, REFERRAL, False)
    assert Referral.get_by_id(referral.id).used_at is not None


def test_order_moves_and_copies_to_next_day(users, database):
    day = datetime.date(2026, 11, 23)
    for role in ("sales", "desk", "manager"):
        service.add_to_rotation(day, users[role])
    service.move_in_rotation(day, users["manager"], -1)
    assert [s.user.username for s in service.day_slots(day)] == ["sales", "manager", "desk"]
    service.set_slot_status(day, users["desk"], BUSY)
    assert service.copy_previous_order(day + datetime.timedelta(days=1)) == 3
    next_day = service.day_slots(day + datetime.timedelta(days=1))
    assert [s.user.username for s in next_day] == ["sales", "manager", "desk"]
    assert {s.status for s in next_day} == {PRESENT}


@pytest.mark.parametrize("hour, minute, night", [
    (19, 59, False), (20, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False),
    (12, 0, False),
])
def test_night_window_crossing_midnight(hour, minute, night):
    assert is_night(D(2026, 11, 22, hour, minute), "20:00", "08:00") is night


@pytest.mark.parametrize("hour, minute, night", [
    (12, 59, False), (13, 0, True), (17, 59, True), (18, 0, False), (22, 0, False),
])
def test_night_window_within_one_day(hour, minute, night):
    assert is_night(D(2026, 11, 22, hour, minute), "13:00", "18:00") is night


def test_register_visit_numbers_and_flags(users, database):
    settings = settings_service.load()
    resident = Customer.create(name="张三", phone="13800000000", building="3栋", room="1201")
    night = service.register_visit(Visit(name="李四", phone="13900001111", reception_class="A",
                                         visitee_customer=resident, visitee="3栋1201",
                                         arrived_at=D(2026, 11, 30, 21, 5)),
                                   users["desk"], settings)
    day = service.register_visit(Visit(name="王五", reception_class="C",
                                       arrived_at=D(2026, 12, 1, 9, 0)), users["desk"], settings)
    assert (night.serial, night.night_duty, night.venue) == ("FK-202611-0001", True, "贵宾室")
    assert (day.serial, day.night_duty, day.venue) == ("FK-202612-0001", False, "休闲厅")
    entry = TimelineEntry.get(TimelineEntry.customer == resident)
    assert entry.kind == "visit" and "FK-202611-0001" in entry.summary


def test_followup_report_due_next_day(users, database):
    followup = create_followup("维修回访", datetime.date(2026, 11, 23),
                                       assigned_to=users["desk"], source="repair", source_id=9)
    due, reports = service.followups_due(datetime.date(2026, 11, 22))
    assert due == [] and reports == []
    due, _ = service.followups_due(datetime.date(2026, 11, 24))
    assert [f.id for f in due] == [followup.id]
    service.record_followup(followup, "已修好", 5, users["desk"], at=D(2026, 11, 24, 16, 0))
    stored = FollowUp.get_by_id(followup.id)
    assert stored.report_due == datetime.date(2026, 11, 25)
    _, reports = service.followups_due(datetime.date(2026, 11, 24))
    assert reports == []
    _, reports = service.followups_due(datetime.date(2026, 11, 25))
    assert [f.id for f in reports] == [followup.id]
    service.file_report(stored, "客户满意", users["desk"])
    assert service.followups_due(datetime.date(2026, 11, 26)) == ([], [])
    with pytest.raises(ValueError):
        service.record_followup(stored, "x", 6, users["desk"])
    # The report is filed once: a second one would overwrite it.
    with pytest.raises(ValueError):
        service.file_report(stored, "改写的报告", users["desk"])
    assert FollowUp.get_by_id(followup.id).report == "客户满意"


def test_a_report_waits_for_the_followup(users, database):
    followup = create_followup("维修回访", datetime.date(2026, 11, 23), source="repair")
    with pytest.raises(ValueError):
        service.file_report(followup, "还没回访就写的报告", users["desk"])
    assert FollowUp.get_by_id(followup.id).reported_at is None


def test_only_an_appointment_still_to_come_is_cancelled_and_a_cancelled_one_takes_no_record(
        users, database):
    customer = Customer.create(name="赵六", phone="13700000000")
    done = CustomerVisit.create(customer=customer, staff=users["manager"], state="done",
                                planned_at=D(2026, 11, 20, 10, 0), opinions="绿化不错")
    assert service.cancel_customer_visit(done, users["manager"]) is False
    assert CustomerVisit.get_by_id(done.id).state == "done"
    planned = CustomerVisit.create(customer=customer, staff=users["manager"],
                                   planned_at=D(2026, 11, 27, 10, 0))
    assert service.cancel_customer_visit(planned, users["manager"]) is True
    assert CustomerVisit.get_by_id(planned.id).state == "cancelled"
    planned.opinions = "补写的会谈内容"
    with pytest.raises(ValueError):
        service.record_customer_visit(planned, users["manager"])
    stored = CustomerVisit.get_by_id(planned.id)
    assert (stored.state, stored.opinions, stored.visited_at) == ("cancelled", "", None)


def test_visit_request_escalates_to_a_manager(users, database):
    customer = Customer.create(name="赵六", phone="13700000000")
    visit = CustomerVisit.create(customer=customer, staff=users["manager"],
                                 planned_at=D(2026, 11, 20, 10, 0), purpose="季度探望")
    visit.opinions = "绿化不错"
    visit.unresolved = "要求更换单元门禁"
    followup = service.record_customer_visit(visit, users["manager"], escalate_to=users["gm"],
                                             at=D(2026, 11, 20, 10, 30))
    assert followup.assigned_to_id == users["gm"].id
    assert (followup.source, followup.source_id) == ("visit_request", visit.id)
    assert followup.planned_on == datetime.date(2026, 11, 21)
    assert CustomerVisit.get_by_id(visit.id).state == "done"
    kinds = [e.kind for e in TimelineEntry.select().where(TimelineEntry.customer == customer)]
    assert sorted(kinds) == ["customer_visit", "followup"]


def test_visit_without_open_request_makes_no_followup(users, database):
    customer = Customer.create(name="赵六", phone="13700000000")
    visit = CustomerVisit.create(customer=customer, staff=users["manager"],
                                 planned_at=D(2026, 11, 20, 10, 0))
    assert service.record_customer_visit(visit, users["manager"]) is None
    assert FollowUp.select().count() == 0


def test_blacklist_warnings_by_phone_plate_and_id(database):
    Customer.create(name="黑名单甲", phone="13811110000", plate="粤B99999", blacklisted=True,
                    blacklist_reason="多次滋事", id_number="E1234567")
    Customer.create(name="普通", phone="13822220000", plate="粤B11111")
    assert [c.name for c in service.blacklist_warnings(plate="粤b 99999")] == ["黑名单甲"]
    assert [c.name for c in service.blacklist_warnings(phone="138-1111-0000")] == ["黑名单甲"]
    assert [c.name for c in service.blacklist_warnings(id_number="e1234567")] == ["黑名单甲"]
    assert service.blacklist_warnings(phone="13822220000", plate="粤B11111") == []
