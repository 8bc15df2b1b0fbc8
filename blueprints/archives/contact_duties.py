"""Contact duties by rank (seed 001 第十四条 用户日常沟通, 第十七条 用户回访): who must call or
visit which customers, and how often. A duty is due while its period has no contact, and
overdue when the period before had none either.

- 主管业务副总 (the deputy the 核决 settings name): a call to every strategic customer monthly,
  and an on-site visit to each yearly.
- 总经理: a call to a strategic customer of their choosing monthly, a visit yearly.
- 业务单位责任人 (managers): on-site visits a year per customer by tier (the visit_quotas
  setting: strategic and key once).
- Sales: each general customer of theirs on site at least once in two years (when no manager
  went), and every important prospect (strategic or key, not yet cooperating) visited once.
"""
import datetime
import time

from flask import current_app
from peewee import SQL, fn

from models import ContactLog, Customer, CustomerVisit, User
from models.base import Prepared, later_all, literal, read_later
from models.customers import IMPORTANT_TIERS, Status, Tier
from models.i18n import lazy_gettext as _l
from models.reception import DONE
from models.users import GM, MANAGER, SALES
from services import workdays

from .ownership import TILE_CAP, AtLeast

PROSPECT_VISIT_DAYS = 30  # an important prospect not visited within this is overdue
EVER = datetime.datetime(1900, 1, 1)
NEVER = datetime.datetime(9999, 1, 1)
SHOWN = 200  # customers a duty lists on its page


class Duty:
    """One duty: what it is, and the queries of the customers it is due and overdue for.
    `one_of`: a contact with any one of the customers fulfils it (the GM's chosen calls)."""

    def __init__(self, key, label, due, overdue, one_of=False):
        self.key, self.label, self.due, self.overdue = key, label, due, overdue
        self.one_of = one_of

    def count(self, cap=TILE_CAP):
        return _counted(self.due, 1 if self.one_of else cap)

    def overdue_count(self, cap=TILE_CAP):
        return _counted(self.overdue, 1 if self.one_of else cap)

    def rows(self):
        """[(customer, overdue)] to show, the overdue first."""
        late = {c.id for c in self.overdue.limit(literal(SHOWN))}
        shown = list(self.due.limit(literal(SHOWN)))
        return sorted(((c, c.id in late) for c in shown), key=lambda row: not row[1])


def _contacts(users, since, until, phone):
    """Customers `users` (None: anyone) called (`phone`) or visited on site in [since, until):
    a contact logged so, or for visits a 拜访 recorded as done."""
    logged = ContactLog.select(ContactLog.customer.alias("customer_id")).where(
        (ContactLog.method == ("phone" if phone else "visit")) &
        (ContactLog.at >= since) & (ContactLog.at < until))
    if users is not None:
        logged = logged.where(ContactLog.user.in_(users))
    if phone:
        return logged
    visited = CustomerVisit.select(CustomerVisit.customer.alias("customer_id")).where(
        (CustomerVisit.state == DONE) & CustomerVisit.not_voided() &
        (CustomerVisit.visited_at >= since) & (CustomerVisit.visited_at < until))
    if users is not None:
        visited = visited.where(CustomerVisit.staff.in_(users))
    return logged + visited  # (UNION ALL: a quota counts every visit)


def _met(contacts, times):
    """The customers in `contacts` at least `times` times."""
    if times <= 1:
        return contacts
    rows = contacts.alias("contacts")
    return (Customer.select(rows.c.customer_id).from_(rows).group_by(rows.c.customer_id)
            .having(fn.COUNT(SQL("1")) >= times))


def _customers(*conditions):
    return Customer.select().where(Customer.not_voided(), *conditions).order_by(Customer.name)


def _duty(key, label, customers, met, periods, one_of=False):
    """Due: not met this period; overdue: nor in the one before. `met(since, until)` is the
    customers met in a period; `periods` the (this, last) period starts."""
    this, last = periods
    if one_of:
        due = customers.where(~fn.EXISTS(customers.where(Customer.id.in_(met(this, NEVER)))))
        overdue = due.where(~fn.EXISTS(customers.where(Customer.id.in_(met(last, this)))))
        return Duty(key, label, due, overdue, one_of=True)
    due = customers.where(Customer.id.not_in(met(this, NEVER)))
    return Duty(key, label, due, due.where(Customer.id.not_in(met(last, this))))


def rank_of(user, settings):
    """gm, deputy, head (a manager) or sales; None for the others."""
    from blueprints.complaints.approval import deputy
    if user.role == GM:
        return "gm"
    named = deputy(settings)
    if named is not None and named.id == user.id:
        return "deputy"
    return {MANAGER: "head", SALES: "sales"}.get(user.role)


def duties(user, settings, today):
    """The contact duties of `user`'s rank, as of `today`."""
    from models.customers import TIERS
    rank = rank_of(user, settings)
    me = [user.id]
    months = tuple(datetime.datetime.combine(workdays.add_months(today.replace(day=1), -back),
                                             datetime.time()) for back in (0, 1))
    years = (datetime.datetime(today.year, 1, 1), datetime.datetime(today.year - 1, 1, 1))
    strategic = _customers(Customer.tier == Tier.STRATEGIC, Customer.status == Status.COOPERATING)
    found = []
    if rank in ("gm", "deputy"):
        chosen = rank == "gm"
        found.append(_duty(f"{rank}-calls", _l("每月有选择致电战略合作客户") if chosen
                           else _l("每月致电每位战略合作客户"), strategic,
                           lambda since, until: _contacts(me, since, until, phone=True),
                           months, one_of=chosen))
        found.append(_duty(f"{rank}-visits", _l("每年有选择现场回访战略合作客户") if chosen
                           else _l("每年现场回访每位战略合作客户"), strategic,
                           lambda since, until: _contacts(me, since, until, phone=False),
                           years, one_of=chosen))
    if rank in ("head", "gm"):
        heads = User.select(User.id).where((User.role == MANAGER) & User.active)
        for tier, quota in settings["visit_quotas"].items():
            quota = int(quota)
            if quota < 1 or tier not in TIERS:
                continue
            found.append(_duty(
                f"quota-{tier}", _l("%(tier)s客户每年现场回访 %(n)s 次", tier=TIERS[tier],
                                    n=quota),
                _customers(Customer.tier == tier, Customer.status == Status.COOPERATING),
                lambda since, until, quota=quota: _met(
                    _contacts(heads, since, until, phone=False), quota), years))
    if rank == "sales":
        found.append(_general_visits(user.id, today))
    if rank is not None:
        found.append(_prospects(user.id if rank == "sales" else None, today))
    return found


def _general_visits(owner, today):
    """A general customer of theirs on site at least once in two years: due when the last two
    years had no visit, overdue when the customer is older than that."""
    since = datetime.datetime.combine(workdays.add_months(today, -24), datetime.time())
    due = _customers(Customer.tier == Tier.GENERAL, Customer.status == Status.COOPERATING,
                     Customer.owner == owner).where(
        Customer.id.not_in(_contacts(None, since, NEVER, phone=False)))
    return Duty("general-visits", _l("一般客户两年至少现场回访一次"), due,
                due.where(Customer.created_at < since))


def _prospects(owner, today):
    """Every important prospect visited at least once; overdue a month after filing."""
    prospects = _customers(Customer.tier.in_(IMPORTANT_TIERS), Customer.status == Status.POTENTIAL)
    if owner is not None:
        prospects = prospects.where(Customer.owner == owner)
    due = prospects.where(Customer.id.not_in(_contacts(None, EVER, NEVER, phone=False)))
    late = datetime.datetime.combine(today - datetime.timedelta(days=PROSPECT_VISIT_DAYS),
                                     datetime.time())
    return Duty("prospect-visits", _l("重要潜在客户至少拜访一次"), due,
                due.where(Customer.created_at < late))


def _counted(query, cap):
    """How many rows `query` has, counted up to `cap` (the home page shows "100+")."""
    rows = query.select(Customer.id).order_by().limit(literal(cap))
    return Customer.select(fn.COUNT(SQL("1"))).from_(rows.alias("due")).scalar()


# What the duties are worked out from: a contact logged, a 拜访 made or done, a customer filed.
# The contacts' and customers' version: what the counts depend on, read with the home page's
# other counts (Later), a number each.
_VERSION = [Prepared(lambda: ContactLog.select(fn.MAX(ContactLog.id))),
            Prepared(lambda: CustomerVisit.select(fn.MAX(CustomerVisit.id))),
            Prepared(lambda done: CustomerVisit.select(fn.COUNT(CustomerVisit.id)).where(
                CustomerVisit.state == done)),
            Prepared(lambda: Customer.select(fn.MAX(Customer.id)))]
# Counted once per person, day and version, and again after this many seconds (a customer's
# tier or status changed elsewhere): the counts cost about 6 ms, the home page 2 ms.
CACHE_SECONDS = 300
CACHE = "contact_duty_counts"  # in app.extensions: {(user, day): (version, expires, counts)}


def counts(user, settings, today):
    """(due, overdue): the customers due and overdue over all of `user`'s duties, each duty
    counted up to TILE_CAP, for the home page."""
    return read_later([counts_later(user, settings, today)])[0]


def counts_later(user, settings, today):
    """counts() as a Later: the version is read with the home page's other counts, and the
    duties counted only when it changed (or the cache entry expired)."""
    def counted(*version):
        cache = current_app.extensions.setdefault(CACHE, {})
        key, moment = (user.id, today), time.monotonic()
        known = cache.get(key)
        if known and known[0] == version and known[1] > moment:
            return known[2]
        found = duties(user, settings, today)
        totals = []
        for count in ([d.count() for d in found], [d.overdue_count() for d in found]):
            capped = any(n >= TILE_CAP for n in count)
            totals.append(AtLeast(sum(count)) if capped else sum(count))
        cache[key] = (version, moment + CACHE_SECONDS, tuple(totals))
        return tuple(totals)
    first, second, done, last = _VERSION
    return later_all([first.later(), second.later(), done.later(DONE), last.later()], counted)
