"""Customer archive rules: creation with its timeline entry, duplicate phones (重卡), search."""
from peewee import JOIN, fn

from models import Customer, User, db, now
from models.base import Prepared, later_all
from models.customers import Status
from models.i18n import lazy_gettext as _l
from models.keys import filled
from models.masking import mask_phone
from services import audit, identity, timeline
from services.search import Hit, equals, matching, starts


def find_duplicates(phone, exclude_id=None):
    """Live customers already registered with this phone (as main or second number), oldest first.

    The oldest valid registration wins ownership (以最早有效登记为准), so it comes first.
    """
    number = identity.normalize_phone(phone)
    if len(number) < 5:
        return []
    query = (Customer.select(Customer, User)
             .join(User, JOIN.LEFT_OUTER, on=(Customer.owner == User.id))
             .where(Customer.not_voided(),
                    (Customer.phone == number) |
                    ((Customer.phone2 == number) & filled(Customer.phone2))))
    if exclude_id:
        query = query.where(Customer.id != exclude_id)
    return list(query.order_by(Customer.id))


def update_customer(customer, actor):
    """Save changes to a customer (audited with before and after)."""
    return audit.save(customer, actor)


def set_blacklist(customer, actor, reason):
    """Blacklist a customer with a reason (None takes them off); audited, on the timeline."""
    with db.atomic():
        customer.blacklisted = reason is not None
        customer.blacklist_reason = reason or ""
        customer.blacklisted_by = actor.id if reason is not None else None
        customer.blacklisted_at = now() if reason is not None else None
        audit.save(customer, actor)
    return customer


def _customer_hits():
    """Only what a hit shows: a customer has ~40 columns."""
    return Customer.select(Customer.id, Customer.name, Customer.kind, Customer.building,
                           Customer.unit, Customer.room, Customer.address, Customer.phone
                           ).where(Customer.not_voided())


def search_customers(query, limit):
    """Customers by name prefix, pinyin (initials or full), phone tail or number, or plate."""
    if query.digits:
        if len(query.digits) < 3:
            return []
        # Three or four digits are a room number or a phone tail; more are a phone number.
        keys = [equals(Customer.room, query.digits)]
        if len(query.digits) == 4:
            keys.append(equals(Customer.phone_tail, query.digits))
        elif len(query.digits) > 4:
            keys = [starts(Customer.phone, query.digits), equals(Customer.phone2, query.digits)]
    elif query.latin:
        keys = [starts(Customer.name_initials, query.latin),
                starts(Customer.name_pinyin, query.latin), starts(Customer.plate, query.upper)]
    else:
        keys = [starts(Customer.name, query.raw), starts(Customer.plate, query.upper),
                starts(Customer.building, query.raw)]
    return matching(_customer_hits, keys, limit, lambda c: Hit(
        "customer", c.name, " ".join(filter(None, [str(c.kind_label), c.unit_label,
                                                   mask_phone(c.phone)])),
        "archives.detail", c.id))


# ---- home panel ---------------------------------------------------------------------------------

def _waiting_evaluations(state, other_state):
    from models import GradeEvaluation
    return GradeEvaluation.select(fn.COUNT(GradeEvaluation.id)).where(
        GradeEvaluation.state.in_([state, other_state]))


_EVALUATIONS = Prepared(_waiting_evaluations)


def home_tiles(user, settings, today):
    """Managers: contacts due and evaluations waiting; sales: their own contacts due. As
    (endpoint, label, count, url arguments, warn)."""
    from models.users import GM, MANAGER, SALES

    from . import contact_duties, ownership
    if user.role not in (MANAGER, GM, SALES):
        return []
    owner = user.id if user.role == SALES else None
    tiles = [("archives.rules", _l("应联系的客户"), lambda: ownership.contacts_due_later(
        settings, today, owner=owner, cap=ownership.TILE_CAP), {"owner": "me"} if owner else {}, True)]
    if user.role in (MANAGER, GM):
        tiles.append(("archives.rules", _l("待审批的评级"), lambda: _EVALUATIONS.later(
            "proposed", "reviewed"), {}, False))
    counts = contact_duties.counts_later(user, settings, today)  # (the second reads the cache)
    tiles += [("archives.contact_duties", _l("联络职责到期"),
               lambda: later_all([counts], lambda both: both[0]), {}, False),
              ("archives.contact_duties", _l("联络职责逾期"),
               lambda: later_all([counts], lambda both: both[1]), {}, True)]
    return tiles


# ---- prospects ----------------------------------------------------------------------------------

def turn_to_file(turn_id, user):
    """A sales-floor reception (a first visit) with no card yet that `user` may file: the turn
    is theirs, or they keep the whole register (blueprints/reception: turns_visible_to)."""
    from blueprints.reception.service import turns_visible_to
    from models import RotationTurn
    if turn_id is None:
        return None
    return turns_visible_to(RotationTurn.select(), user).where(
        (RotationTurn.id == turn_id) & RotationTurn.customer.is_null()).first()


def file_first_visit(turn, customer, user):
    """The prospect's card is filed from their first visit: the turn names the customer, who
    belongs to whoever received them (seed 000 案场: 以第一接待的销售人员为准)."""
    from models import RotationTurn
    with db.atomic():
        RotationTurn.update(customer=customer.id).where(
            (RotationTurn.id == turn.id) & RotationTurn.customer.is_null()).execute()
        timeline.add(customer, "archive", str(_l("首次来访：%(day)s 由 %(name)s 接待",
                                                 day=f"{turn.at:%Y-%m-%d %H:%M}",
                                                 name=turn.user.display_name)),
                     ref_id=customer.id, user=user, at=turn.at)


def prospects(kind, user):
    """潜在客户 of one kind (潜在经销商名录 for dealers), oldest first, with their owner; a
    salesperson sees their own only."""
    from models.users import SALES
    query = (Customer.select(Customer, User).join(User, JOIN.LEFT_OUTER,
                                                  on=(Customer.owner == User.id))
             .where(Customer.not_voided() & (Customer.status == Status.POTENTIAL) &
                    (Customer.kind == kind)))
    if user.role == SALES:
        query = query.where(Customer.owner == user.id)
    return query.order_by(Customer.created_at, Customer.id)
