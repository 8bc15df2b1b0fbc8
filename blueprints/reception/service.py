"""Reception rules: night duty, the rotation, registering visitors, visits, follow-ups, handovers."""
import datetime
from collections import namedtuple
from types import SimpleNamespace

from peewee import JOIN, fn

from models import (
    Customer,
    CustomerVisit,
    FollowUp,
    Handover,
    Referral,
    RotationSlot,
    RotationTurn,
    User,
    Visit,
    clock,
    db,
    now,
)
from models.base import Prepared, later_all, literal, moment_literal
from models.i18n import lazy_gettext as _l
from models.keys import filled
from models.reception import (
    ABSENT,
    BUSY,
    CANCELLED,
    COVERING,
    DONE,
    PRESENT,
    REFERRAL,
    RETURNING,
    WALK_IN,
)
from models.users import DESK, SALES
from services import audit, identity, serials, staff, timeline
from services.customers import create_followup
from services.settings import parse_hhmm

from .shifts import may_acknowledge

# ---- night duty ---------------------------------------------------------------------------------


def is_night(moment, start="20:00", end="08:00"):
    """True when `moment` falls in the night-duty window [start, end); the window may cross midnight."""
    start_t = datetime.time(*parse_hhmm(start))
    end_t = datetime.time(*parse_hhmm(end))
    t = moment.time()
    if start_t == end_t:
        return False
    if start_t < end_t:
        return start_t <= t < end_t
    return t >= start_t or t < end_t


# ---- the sales-floor rotation ------------------------------------------------------------------

Assignment = namedtuple("Assignment", "user_id consumes_turn kind")


def next_receiver(slots, last_turn_user=None, owner=None, referrer=None):
    """Who receives the next arrival under the rotation rule (轮流接待).

    `slots` is the day's order as [(user_id, status)]. A referral pre-registered by a staff member
    goes to them, a returning customer to their owner, neither using up a turn; when that person
    is absent or busy the next free one in the rotation covers without using a turn. A new walk-in
    goes to the next present staff member after the last one who took a turn, wrapping around,
    and uses up a turn. None when nobody is free.
    """
    status = dict(slots)
    for person, kind in ((referrer, REFERRAL), (owner, RETURNING)):
        if person is not None:
            if status.get(person) == PRESENT:
                return Assignment(person, False, kind)
            break
    order = [user for user, _ in slots]
    start = order.index(last_turn_user) + 1 if last_turn_user in order else 0
    for step in range(len(order)):
        candidate = order[(start + step) % len(order)]
        if status[candidate] == PRESENT:
            if owner is None and referrer is None:
                return Assignment(candidate, True, WALK_IN)
            return Assignment(candidate, False, COVERING)
    return None


def day_slots(day):
    """The day's rotation in order, with users."""
    return list(RotationSlot.select(RotationSlot, User).join(User)
                .where(RotationSlot.day == day).order_by(RotationSlot.position))


def add_to_rotation(day, user):
    """Put a staff member at the end of the day's order (also mid-day); no-op if already in."""
    with db.atomic():
        existing = RotationSlot.get_or_none(day=day, user=user)
        if existing:
            return existing
        last = (RotationSlot.select(fn.MAX(RotationSlot.position))
                .where(RotationSlot.day == day).scalar()) or 0
        return RotationSlot.create(day=day, user=user, position=last + 1)


def move_in_rotation(day, user, offset):
    """Swap a staff member with the neighbour `offset` places away (-1 up, +1 down)."""
    with db.atomic():
        slots = day_slots(day)
        index = next((i for i, s in enumerate(slots) if s.user_id == user.id), None)
        other = index + offset if index is not None else None
        if other is None or not 0 <= other < len(slots):
            return
        a, b = slots[index], slots[other]
        a.position, b.position = b.position, a.position
        a.save()
        b.save()


def set_slot_status(day, user, status):
    """Mark a staff member present, busy or absent for the day."""
    if status not in (PRESENT, BUSY, ABSENT):
        raise ValueError(status)
    RotationSlot.update(status=status, updated_at=now()).where(
        (RotationSlot.day == day) & (RotationSlot.user == user)).execute()


def copy_previous_order(day):
    """Start a day with the order of the most recent earlier day (everyone present)."""
    previous = (RotationSlot.select(fn.MAX(RotationSlot.day)).where(RotationSlot.day < day)
                .scalar())
    if previous is None or RotationSlot.select().where(RotationSlot.day == day).exists():
        return 0
    with db.atomic():
        for slot in day_slots(previous):
            if slot.user.active:
                RotationSlot.create(day=day, user=slot.user_id, position=slot.position)
    return RotationSlot.select().where(RotationSlot.day == day).count()


def last_turn_user(day):
    turn = (RotationTurn.select().where((RotationTurn.day == day) & RotationTurn.consumes_turn)
            .order_by(RotationTurn.id.desc()).first())
    return turn.user_id if turn else None


def receive(day, actor, customer=None, referral=None, visitor_name="", at=None):
    """Apply the rotation rule to one arrival and record the turn; None when nobody is free."""
    with db.atomic():
        slots = [(s.user_id, s.status) for s in day_slots(day)]
        owner = customer.owner_id if customer is not None else None
        referrer = referral.staff_id if referral is not None else None
        choice = next_receiver(slots, last_turn_user(day), owner=owner, referrer=referrer)
        if choice is None:
            return None
        if referral is not None:
            referral.used_at = at or now()
            referral.save()
        name = visitor_name or (customer.name if customer else "")
        return RotationTurn.create(day=day, at=at or now(), user=choice.user_id, kind=choice.kind,
                                   consumes_turn=choice.consumes_turn, customer=customer,
                                   referral=referral, assigned_by=actor, visitor_name=name[:40])


def turn_counts(day):
    """{user_id: turns used} for the day (only turns that count)."""
    query = (RotationTurn.select(RotationTurn.user, fn.COUNT(RotationTurn.id).alias("n"))
             .where((RotationTurn.day == day) & RotationTurn.consumes_turn)
             .group_by(RotationTurn.user))
    return {row.user_id: row.n for row in query}


# ---- the visitor register ---------------------------------------------------------------------


def default_venue(reception_class, venues):
    """The venue for a reception class from settings (A 贵宾室, B 商务室, C 休闲厅)."""
    return venues.get(reception_class, "")


def register_visit(visit, actor, settings):
    """Number, night-duty flag and venue for a new visitor entry; audited and on the timelines."""
    with db.atomic():
        visit.serial = serials.next_serial("FK", visit.arrived_at)
        visit.night_duty = is_night(visit.arrived_at, settings["night_start"],
                                    settings["night_end"])
        visit.venue = visit.venue or default_venue(visit.reception_class, settings["venues"])
        visit.registered_by = actor
        audit.save(visit, actor)
        summary = f"{visit.serial} {visit.name} {visit.purpose}".strip()
        timeline.add(visit.customer, "visit", summary, ref_id=visit.id, user=actor,
                     at=visit.arrived_at)
        if visit.visitee_customer_id and visit.visitee_customer_id != visit.customer_id:
            timeline.add(visit.visitee_customer, "visit", summary, ref_id=visit.id, user=actor,
                         at=visit.arrived_at)
    return visit


def inside_count_query():
    """How many visitors are still inside (not signed out), whatever the day they came: the
    query, not yet run (for read_together), whose one row is the count."""
    return _INSIDE.query(Visit).tuples()


_INSIDE = Prepared(lambda: Visit.live().select(fn.COUNT(Visit.id)).where(
    Visit.left_at.is_null()))


def sign_out(visit, actor, at=None):
    """Record the departure (one tap); a visitor already out keeps the first time, and a voided
    entry is left as it was voided."""
    if visit.left_at is None and not visit.voided:
        visit.left_at = at or now()
        audit.save(visit, actor)
    return visit


def previous_visit(phone):
    """The latest entry for this phone, to recognise a repeat visitor and prefill the form."""
    number = identity.normalize_phone(phone)
    if len(number) < 5:
        return None
    return (Visit.select().where((Visit.phone == number) & filled(Visit.phone) &
                                 Visit.not_voided())
            .order_by(Visit.id.desc()).first())


def blacklist_warnings(phone="", plate="", id_number=""):
    """Blacklisted customers matching a visitor's phone, plate or ID number."""
    conditions = []
    number = identity.normalize_phone(phone)
    if len(number) >= 5:
        conditions.append((Customer.phone == number) |
                          ((Customer.phone2 == number) & filled(Customer.phone2)))
    normal_plate = identity.normalize_plate(plate)
    if normal_plate:
        conditions.append((Customer.plate == normal_plate) & filled(Customer.plate))
    if id_number and len(id_number.strip()) >= 5:
        conditions.append(Customer.id_number == id_number.strip().upper())
    if not conditions:
        return []
    condition = conditions[0]
    for extra in conditions[1:]:
        condition |= extra
    return list(Customer.select().where(Customer.on_blacklist() & condition).limit(literal(5)))


def recent_visitors(limit=8):
    """The latest distinct visitors (by phone, else name), for one-tap repeat registration."""
    seen, result = set(), []
    for visit in (Visit.select().where(Visit.not_voided())
                  .order_by(Visit.id.desc()).limit(literal(limit * 5))):
        key = visit.phone or visit.name
        if key in seen:
            continue
        seen.add(key)
        result.append(visit)
        if len(result) == limit:
            break
    return result


# ---- follow-ups --------------------------------------------------------------------------------


def record_followup(followup, outcome, satisfaction, actor, at=None, method=None):
    """The follow-up was made: outcome and satisfaction (1–5); its report is due the next day."""
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValueError("satisfaction is 1 to 5")
    at = at or now()
    followup.done_at = at
    followup.outcome = outcome
    followup.satisfaction = satisfaction
    followup.method = method or followup.method
    followup.report_due = at.date() + datetime.timedelta(days=1)
    with db.atomic():
        Customer.touch_contact(followup.customer_id, at)
        return audit.save(followup, actor)


def file_report(followup, report, actor, at=None):
    """The follow-up report (回访报告), due the day after the follow-up; filed once."""
    if not followup.report_open:
        raise ValueError("no follow-up made yet, or its report already filed")
    followup.report = report
    followup.reported_at = at or now()
    return audit.save(followup, actor)


def _call_due(today):
    """A follow-up not yet made whose planned day has come."""
    return (FollowUp.planned_on <= today) & FollowUp.done_at.is_null()


def _report_due(today):
    """A follow-up made whose report is due and not yet filed."""
    return ((FollowUp.report_due <= today) & FollowUp.done_at.is_null(False) &
            FollowUp.reported_at.is_null())


def followups_due(today, user=None):
    """Follow-ups not yet made whose planned day has come, and reports not yet filed that are due."""
    calls = FollowUp.live().where(_call_due(today))
    reports = FollowUp.live().where(_report_due(today))
    if user is not None:
        calls = calls.where(FollowUp.assigned_to == user)
        reports = reports.where(FollowUp.assigned_to == user)
    return list(calls.order_by(FollowUp.planned_on)), list(reports.order_by(FollowUp.report_due))


def followups_due_later(today, user):
    """How many of followups_due(today, user) there are, calls and reports (the home tile, a
    Later)."""
    return later_all([_CALLS_DUE.later(today, user), _REPORTS_DUE.later(today, user)],
                     lambda calls, reports: calls + reports)


def _counted(due):
    """A count of `user`'s follow-ups meeting `due(today)`, its SQL written once (Prepared)."""
    return Prepared(lambda today, user: FollowUp.live().select(fn.COUNT(FollowUp.id)).where(
        due(today)).where(FollowUp.assigned_to == user))


_CALLS_DUE, _REPORTS_DUE = _counted(_call_due), _counted(_report_due)


# ---- customer visits ---------------------------------------------------------------------------


def record_customer_visit(customer_visit, actor, escalate_to=None, at=None):
    """Save the visit record (会谈内容记录); an unanswered request becomes a follow-up for a manager."""
    if not customer_visit.can_record:
        raise ValueError("a cancelled visit takes no record")
    with db.atomic():
        customer_visit.state = DONE
        customer_visit.visited_at = customer_visit.visited_at or at or now()
        audit.save(customer_visit, actor)
        Customer.touch_contact(customer_visit.customer_id, customer_visit.visited_at)
        timeline.add(customer_visit.customer, "customer_visit",
                     customer_visit.purpose or customer_visit.opinions[:80],
                     ref_id=customer_visit.id, user=actor, at=customer_visit.visited_at)
        followup = None
        if customer_visit.unresolved.strip():
            followup = create_followup(
                customer_visit.unresolved.strip(), customer_visit.visited_at.date()
                + datetime.timedelta(days=1), customer=customer_visit.customer,
                source="visit_request", source_id=customer_visit.id, assigned_to=escalate_to,
                actor=actor)
    return followup


def cancel_customer_visit(customer_visit, actor):
    """Cancel an appointment that will not take place; True when it was still to come."""
    if not customer_visit.can_cancel:
        return False
    customer_visit.state = CANCELLED
    audit.save(customer_visit, actor)
    return True


def turns_visible_to(query, user):
    """The sales-floor visitor register is the sales head's (seed 000: 现场客户来访登记表将实施
    绝对保密制度,由销售主管单独保管): managers, the GM and the desk keep it whole; a salesperson
    sees only the turns, and so the customers, they took themselves."""
    if user.role == SALES:
        return query.where(RotationTurn.user == user.id)
    return query


# ---- handovers ---------------------------------------------------------------------------------


def unacknowledged_handovers(user):
    """Handovers waiting for `user` to acknowledge: written by someone else, acknowledged by no
    one, and passed to a shift the rota puts `user` on (or to anyone, where it names nobody)."""
    user = getattr(user, "id", user)
    return [h for h in _WAITING_HANDOVERS.rows(Handover, user) if may_acknowledge(h, user)]


_WAITING_HANDOVERS = Prepared(lambda user: Handover.select().where(
    Handover.acknowledged_at.is_null() & (Handover.author != user))
    .order_by(Handover.at.desc()).limit(literal(20)))


def acknowledge(handover, user, at=None):
    """The incoming shift confirms it has read the handover."""
    if handover.acknowledged_at is None:
        handover.acknowledged_by = user
        handover.acknowledged_at = at or now()
        audit.save(handover, user)
    return handover


__all__ = ["is_night", "next_receiver", "Assignment", "receive", "register_visit", "sign_out",
           "record_followup", "followups_due", "record_customer_visit",
           "acknowledge", "Referral", "CustomerVisit"]


def _visit_hits():
    """What a visitor hit shows."""
    return Visit.select(Visit.id, Visit.serial, Visit.name, Visit.arrived_at, Visit.phone,
                        Visit.plate).where(Visit.not_voided())


def search_visitors(query, limit):
    """Visitor entries by serial, name initials, phone tail or plate (newest first)."""
    from models.masking import mask_phone
    from services.search import Hit, equals, matching, starts
    if query.upper.startswith("FK-"):
        keys = [starts(Visit.serial, query.upper)]
    elif query.digits and len(query.digits) == 4:
        keys = [equals(Visit.phone_tail, query.digits)]
    elif query.digits and len(query.digits) > 4:
        keys = [starts(Visit.phone, query.digits)]
    elif query.latin:
        keys = [starts(Visit.name_initials, query.latin), starts(Visit.plate, query.upper)]
    elif query.has_cjk:
        keys = [starts(Visit.name, query.raw), starts(Visit.plate, query.upper)]
    else:
        return []
    return matching(_visit_hits, keys, limit, lambda v: Hit(
        "visit", f"{v.serial} {v.name}",
        " ".join(filter(None, [f"{v.arrived_at:%Y-%m-%d %H:%M}", mask_phone(v.phone), v.plate])),
        "reception.detail", v.id))


def home_tiles(user, today):
    """The front desk's counters: visitors still inside, follow-ups due. As (endpoint, label,
    count, url arguments, warn)."""
    if user.role not in (DESK, SALES):
        return []
    return [("reception.index", _l("仍在场内的访客"), _INSIDE.later, {"state": "inside"}, False),
            ("reception.followups", _l("我的待回访"), lambda: followups_due_later(today, user.id),
             {"mine": "1"}, True)]


# ---- the visitor register -------------------------------------------------------------------------

def register_visits(day, reception_class=None, host_id=None, state=None, night=False):
    """The visitor register of one day, newest first: the list, its sheet and its export read
    these rows. Each visit carries its customer's blacklist flag (blacklisted), read in the same
    query, and its host's name (host_name) and the staff member visited (visitee_staff_name),
    from the staff directory this process keeps (two joins fewer to plan)."""
    start, end = clock.day_bounds(day, day)
    query = _register().where((Visit.arrived_at >= moment_literal(Visit.arrived_at, start))
                              & (Visit.arrived_at < moment_literal(Visit.arrived_at, end)))
    if reception_class:
        query = query.where(Visit.reception_class == reception_class)
    if host_id is not None:
        query = query.where(Visit.host == host_id)
    if state == "inside":
        query = query.where(Visit.left_at.is_null())
    elif state == "left":
        query = query.where(Visit.left_at.is_null(False))
    if night:
        query = query.where(Visit.night_duty == True)  # noqa: E712
    return query.order_by(Visit.arrived_at.desc(), Visit.id.desc())


def register_row(visit_id):
    """One visit as the register shows it (the row an htmx sign-out swaps in)."""
    return list(_register().where(Visit.id == visit_id))


# A register row is every column of a visit but its bookkeeping (stamps, voiding, search keys):
# a new column of the register is read without being named here.
_BOOKKEEPING = {"created_at", "updated_at", "voided", "voided_at", "voided_by", "void_reason",
                "name_initials", "phone_tail"}
REGISTER_COLUMNS = [field for field in Visit._meta.sorted_fields
                    if field.name not in _BOOKKEEPING]


def _register():
    names = staff.names()

    def row(**columns):
        return SimpleNamespace(**columns, host_name=names.get(columns["host"]),
                               visitee_staff_name=names.get(columns["visitee_staff"]))
    return (Visit.select(*REGISTER_COLUMNS, Customer.blacklisted.alias("blacklisted"))
            .join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id))
            .switch(Visit).where(Visit.not_voided()).objects(row))
