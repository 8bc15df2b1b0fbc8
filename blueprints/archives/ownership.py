"""案场规则 and contact rules: completeness of the card, contacts due, lapses and redistribution."""
import datetime
import functools
import itertools

from peewee import SQL, fn

from models import (
    ContactLog,
    Customer,
    OwnershipChange,
    RotationTurn,
    User,
    Visit,
    db,
    now,
)
from models.base import Prepared, later_all, literal, read_later
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.users import SALES
from services import audit, workdays

COMPLETE_WITHIN_WORKDAYS = 2
LAPSE_MONTHS = 2
FOLLOW_UP_DAYS = 3
# What a customer card must hold once a contract is signed, by kind of customer.
REQUIRED = {
    "resident": ("name", "phone", "building", "room", "id_number"),
    "company": ("name", "contact_person", "phone", "address", "company_nature"),
    "dealer": ("name", "contact_person", "phone", "address", "company_nature"),
    "shopper": ("name", "phone"),
}
FIELD_LABELS = {"name": _l("名称/姓名"), "phone": _l("电话"), "building": _l("楼栋"),
                "room": _l("房号"), "id_number": _l("证件号码"), "contact_person": _l("联系人"),
                "address": _l("地址"), "company_nature": _l("单位性质"),
                "emergency": _l("紧急联络人")}


def missing_fields(customer):
    """The card's empty required fields (residents also need an emergency contact)."""
    missing = [f for f in REQUIRED.get(customer.kind, ("name", "phone"))
               if not getattr(customer, f)]
    if customer.kind == "resident" and not customer.emergency_contacts.where(
            customer.emergency_contacts.model.not_voided()).exists():
        missing.append("emergency")
    return missing


def completeness_due(customer):
    """The card must be complete 2 working days after the contract date (PRC calendar)."""
    if customer.contract_date is None:
        return None
    start = datetime.datetime.combine(customer.contract_date, datetime.time(23, 59))
    return workdays.add_workdays(start, COMPLETE_WITHIN_WORKDAYS)


def incomplete_cards(at=None):
    """Signed customers whose card is still incomplete after the deadline, with how late."""
    at = at or now()
    rows = []
    for customer in Customer.select().where(Customer.contract_date.is_null(False) &
                                            Customer.not_voided()):
        due = completeness_due(customer)
        missing = missing_fields(customer)
        if missing and at > due:
            rows.append((customer, due, at - due, missing))
    return sorted(rows, key=lambda row: row[1])


def _cutoffs(settings, today):
    """Per tier: (tier, its interval in days, the moment a customer last contacted before it is
    due for contact: today minus the interval)."""
    for tier, days in settings["contact_days"].items():
        days = int(days)
        yield tier, days, datetime.datetime.combine(today - datetime.timedelta(days=days - 1),
                                                    datetime.time())


def _due_clauses(settings, today):
    """Per tier: last contact on or before today minus the tier's interval (an index range)."""
    for tier, days, cutoff in _cutoffs(settings, today):
        yield tier, days, (Customer.tier == tier) & (Customer.contacted_at < cutoff)


def _live(query, owner):
    query = query.where(Customer.not_voided())
    return query.where(Customer.owner == owner) if owner is not None else query


def contacts_due_query(settings, today, owner=None):
    """Every customer late for contact, as one query (for exports)."""
    clauses = [clause for _tier, _days, clause in _due_clauses(settings, today)]
    if not clauses:
        return Customer.select().where(Customer.id < 0)
    either = clauses[0]
    for clause in clauses[1:]:
        either = either | clause
    return _live(Customer.select(), owner).where(either).order_by(Customer.contacted_at)


def contact_row(settings, customer):
    """(customer, last contact or None when never contacted, the day contact was due)."""
    days = int(settings["contact_days"][customer.tier])
    last = customer.contacted_at if customer.contacted_at != customer.created_at else None
    return customer, last, customer.contacted_at.date() + datetime.timedelta(days=days)


def contacts_due(settings, today, owner=None, limit=200):
    """Customers late for contact by their tier (strategic/key weekly, general monthly), the
    longest overdue first: the first `limit`, read tier by tier along the (tier, contacted_at)
    index, so the cost does not grow with the number of customers."""
    rows = []
    for _tier, _days, clause in _due_clauses(settings, today):
        query = _live(Customer.select(), owner).where(clause).order_by(Customer.contacted_at)
        rows += [contact_row(settings, c) for c in query.limit(literal(limit))]
    return sorted(rows, key=lambda row: row[2])[:limit]


# A home tile counts up to this and then shows "100+": reading a thousand index entries to
# print "1000+" cost PostgreSQL about 2 ms on every home page.
TILE_CAP = 100


class AtLeast(int):
    """A count that stopped at its cap: compares as the number, prints as "100+"."""

    def __str__(self):
        return f"{int(self)}+"


def count_contacts_due(settings, today, owner=None, cap=1000):
    """How many customers are late for contact, counted up to `cap` (then shown as "cap+")."""
    return read_later([contacts_due_later(settings, today, owner, cap)])[0]


def contacts_due_later(settings, today, owner=None, cap=1000):
    """count_contacts_due as a Later (the home page reads its tiles in one statement): each
    tier counted up to `cap`."""
    laters = [_due(cap).later(tier, cutoff) if owner is None else
              _due_to_owner(cap).later(owner, tier, cutoff)
              for tier, _days, cutoff in _cutoffs(settings, today)]

    def capped(*counts):
        return AtLeast(cap) if sum(counts) >= cap else sum(counts)
    return later_all(laters, capped)


def _counted_due(query, tier, cutoff, cap):
    """How many of `query`'s customers of `tier` were last contacted before `cutoff`, up to `cap`:
    along the (tier, contacted_at) index, the count stopping at the cap."""
    due = query.where((Customer.tier == tier) & (Customer.contacted_at < cutoff))
    due = due.limit(literal(cap))
    return Customer.select(fn.COUNT(SQL("1"))).from_(due.alias("due"))


# The home page's count, its SQL written once for each cap (see Prepared).
@functools.cache
def _due(cap):
    return Prepared(lambda tier, cutoff: _counted_due(
        _live(Customer.select(Customer.id), None), tier, cutoff, cap))


@functools.cache
def _due_to_owner(cap):
    return Prepared(lambda owner, tier, cutoff: _counted_due(
        _live(Customer.select(Customer.id), owner), tier, cutoff, cap))


def log_contact(customer, user, method, note, at=None):
    with db.atomic():
        entry = ContactLog.create(customer=customer, user=user.id, method=method,
                                  note=note[:300], at=at or now())
        Customer.touch_contact(customer.id, entry.at)
    return entry



# The source a phone enquiry is registered with (来电登记本; seed 000, 案场).
PHONE_ENQUIRY = "来电"


def is_phone_enquiry():
    """Customers who came to us as a phone enquiry: source 来电 (or flagged so by an import)."""
    return (Customer.source == PHONE_ENQUIRY) | Customer.enquiry_only


def came_in(customer, until):
    """True when the customer came to the office by `until`: a sales-floor reception (轮流接待)
    or a visitor-register entry. Our staff visiting them does not count."""
    return (RotationTurn.select().where((RotationTurn.customer == customer) &
                                        (RotationTurn.at <= until)).exists()
            or Visit.live().where((Visit.customer == customer) &
                                  (Visit.arrived_at <= until)).exists())


def lapse_enquiries(actor, at=None):
    """Seed 000 (案场): a phone enquiry who has not come to the sales office within 2 months is
    kept as data only, with no owner."""
    at = at or now()
    cutoff = workdays.add_months(at, -LAPSE_MONTHS)
    lapsed = []
    candidates = Customer.live().where(is_phone_enquiry() & Customer.owner.is_null(False) &
                                       (Customer.created_at <= cutoff))
    for customer in candidates:
        if came_in(customer, workdays.add_months(customer.created_at, LAPSE_MONTHS)):
            continue
        with db.atomic():
            OwnershipChange.create(customer=customer, from_user=customer.owner_id, to_user=None,
                                   reason=str(_l("来电两个月未到访，转为资料")),
                                   by=actor.id if actor else None)
            customer.owner = None
            audit.save(customer, actor)
        lapsed.append(customer)
    return lapsed


# Seed 000 (案场): 辞退或离职人员没有交房的全部客户和有遗留问题的客户由销售主管均分给其余销售人员。
# 分到客户的销售人员必需在三天内进行客户回访，回访状况以书面形式上报销售主管。

def open_matters(customer):
    """What is still open for a customer (遗留问题): complaints, repairs, follow-ups."""
    from models import Complaint, FollowUp, RepairRequest, WorkOrder
    from models.complaints import OPEN as COMPLAINT_OPEN
    from models.repairs import OPEN as REPAIR_OPEN
    matters = []
    if Complaint.live().where((Complaint.customer == customer) &
                              Complaint.state.in_(COMPLAINT_OPEN)).exists():
        matters.append(_l("有未结投诉"))
    if (WorkOrder.select().join(RepairRequest)
            .where((RepairRequest.customer == customer) & RepairRequest.not_voided() &
                   WorkOrder.not_voided() & WorkOrder.state.in_(REPAIR_OPEN)).exists()):
        matters.append(_l("有未完工维修"))
    if FollowUp.live().where((FollowUp.customer == customer) & FollowUp.done_at.is_null()) \
            .exists():
        matters.append(_l("有待回访"))
    return matters


def why_handed_on(customer):
    """Why a leaver's customer goes to someone else: not handed over yet, or matters open.
    Empty: the customer stays on the leaver's record."""
    reasons = [] if customer.handed_over_on else [_l("未交房")]
    return reasons + open_matters(customer)


def plan_redistribution(leaver):
    """The leaver's customers not handed over or with matters open, dealt evenly over the other
    active sales staff by current load: [(customer, new owner, reasons)], and those staying.
    The plan is None when customers must move and nobody is left to take them."""
    customers = list(Customer.select().where((Customer.owner == leaver) &
                                             Customer.not_voided())
                     .order_by(Customer.id))
    reasons = {c.id: why_handed_on(c) for c in customers}
    moving = [c for c in customers if reasons[c.id]]
    staying = [c for c in customers if not reasons[c.id]]
    staff = list(User.select().where((User.role == SALES) & User.active & (User.id != leaver.id))
                 .order_by(User.id))
    if not staff:
        return (None if moving else []), staying
    load = {u.id: Customer.select().where(Customer.owner == u).count() for u in staff}
    staff.sort(key=lambda u: (load[u.id], u.id))
    return ([(c, owner, reasons[c.id]) for c, owner in zip(moving, itertools.cycle(staff))],
            staying)


def apply_redistribution(plan, leaver, actor, today=None):
    """Hand each customer over with why, and give the new owner a follow-up due in 3 days whose
    written report goes to the sales head (seed 000); the sales heads are told."""
    from services.customers import create_followup
    from services.notifications import notify
    from services.staff import managers
    today = today or now().date()
    with db.atomic():
        for customer, new_owner, reasons in plan:
            OwnershipChange.create(customer=customer, from_user=leaver.id, to_user=new_owner.id,
                                   reason=str(_l("员工离职，客户重新分配：%(why)s",
                                                 why="、".join(str(r) for r in reasons)))[:100],
                                   by=actor.id)
            customer.owner = new_owner.id
            audit.save(customer, actor)
            create_followup(N_("接手客户回访：%(name)s"),
                            today + datetime.timedelta(days=FOLLOW_UP_DAYS), customer=customer,
                            source="redistribution", source_id=leaver.id,
                            assigned_to=new_owner, actor=actor, params={"name": customer.name})
        if plan:
            notify(managers(), N_("%(name)s 离职，%(n)s 位客户已重新分配，接手人须 3 天内回访并书面报告"),
                   "archives.leaver_report", ref_id=leaver.id, name=leaver.display_name,
                   n=len(plan))
    return len(plan)


def leaver_report(leaver):
    """离职客户回访报告: each customer handed on from the leaver, to whom and why, and the
    follow-up with its written report, for the sales head."""
    from models import FollowUp
    changes = (OwnershipChange.select().where(OwnershipChange.from_user == leaver)
               .order_by(OwnershipChange.id))
    rows = []
    for change in changes:
        if change.to_user_id is None:
            continue
        followup = (FollowUp.live().where((FollowUp.source == "redistribution") &
                                          (FollowUp.customer == change.customer_id) &
                                          (FollowUp.source_id == leaver.id))
                    .order_by(FollowUp.id.desc()).first())
        rows.append((change, followup))
    return rows
