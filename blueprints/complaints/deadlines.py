"""Complaint deadlines and clocks, and the lists they order (overdue, due soon)."""
import datetime
from collections import namedtuple
from types import SimpleNamespace

from peewee import JOIN, fn

from models import (
    Complaint,
    User,
    now,
)
from models.base import Prepared, later_all, read_later
from models.complaints import (
    FINISHED,
    INVALID,
    PROGRESS_PERIOD,
    complaint_is_open,
    first_progress_due,
    report_moments_of,
)
from models.i18n import lazy_gettext as _l
from services import audit, staff, workdays

CLOSE_DAYS = {"overseas": 20}
CLOSE_DAYS_DEFAULT = 15
ONSITE_HOURS = {"in_province": 24, "out_province": 48}
REPORT_DAYS = 3
PROPOSAL_WORKDAYS = 1
DUE_SOON = datetime.timedelta(hours=24)


# ---- deadlines and clocks -----------------------------------------------------------------------

def due_dates(received_at, region):
    """(closure, on-site, investigation report) deadlines from acceptance and region."""
    closure = received_at + datetime.timedelta(days=CLOSE_DAYS.get(region, CLOSE_DAYS_DEFAULT))
    hours = ONSITE_HOURS.get(region)
    onsite = workdays.add_hours(received_at, hours) if hours else None
    report = received_at + datetime.timedelta(days=REPORT_DAYS)
    return closure, onsite, report


def proposal_deadline(classified_at):
    """The solution is proposed within 1 working day of classification (PRC calendar)."""
    return workdays.add_workdays(classified_at, PROPOSAL_WORKDAYS)


def recompute_workday_deadlines(at, actor=None):
    """After the working calendar changed (the 节假日 page): the proposal deadlines that have not
    passed yet are worked out again, and with them each complaint's next deadline."""
    from models.complaints import complaint_is_open
    pending = Complaint.select().where(
        complaint_is_open() & Complaint.classified_at.is_null(False)
        & Complaint.investigated_at.is_null() & (Complaint.proposal_due > at))
    changed = 0
    for complaint in pending:
        due = proposal_deadline(complaint.classified_at)
        if due != complaint.proposal_due:
            complaint.proposal_due = due
            audit.save(complaint, actor)
            changed += 1
    return changed


Clock = namedtuple("Clock", "key label due met_at status delta")
CLOCK_LABELS = {"closure": _l("结案期限"), "onsite": _l("现场处理"),
                "proposal": _l("提出处理方案（1 个工作日）"), "report": _l("调查报告（3 天内）"),
                "progress": _l("进度告知（每 7 天至少 2 次）"),
                "opinion": _l("综合看法（答复后 1 个工作日）"),
                "inspect": _l("到货 3 日内检验"), "batch": _l("批量质量异议 5 日内认定"), "settle": _l("到货 5 日内处理完毕")}
OK, SOON, OVERDUE, MET, MET_LATE, MISSED = "ok", "soon", "overdue", "met", "met_late", "missed"


def clock_of(key, due, met_at, at, ended=None):
    """One clock at `at`. `ended`: when the complaint was closed (or found invalid), which
    stops the clocks it never met: missed if they were already due then, else no longer due."""
    label = CLOCK_LABELS[key]
    if due is None:
        return None
    if met_at is not None:
        return Clock(key, label, due, met_at, MET if met_at <= due else MET_LATE, met_at - due)
    if ended is not None:
        return Clock(key, label, due, None, MISSED, ended - due) if ended > due else None
    if at > due:
        return Clock(key, label, due, None, OVERDUE, at - due)
    return Clock(key, label, due, None, SOON if due - at <= DUE_SOON else OK, due - at)


def progress_clock(complaint, at, reports=None):
    """At least two progress reports in every 7-day period counted from acceptance."""
    if reports is None:
        reports = [p.at for p in complaint.progress]
    end = complaint.closed_at or at
    finished = complaint.state in FINISHED
    due = first_progress_due(complaint.received_at, reports)
    if due <= end:  # a period that is over had too few reports
        return Clock("progress", CLOCK_LABELS["progress"], due, None,
                     MISSED if finished else OVERDUE, end - due)
    periods = max((end - complaint.received_at) // PROGRESS_PERIOD, 0)
    current_end = complaint.received_at + PROGRESS_PERIOD * (periods + 1)
    if finished or due > current_end:  # the current period has its reports
        return Clock("progress", CLOCK_LABELS["progress"], current_end, end, MET,
                     datetime.timedelta(0))
    return clock_of("progress", due, None, at)


def clocks(complaint, at=None, reports=None):
    """Every clock of a complaint with its due moment and whether it is met, soon, or late.
    `reports`: its progress report moments, when already fetched (see clocks_for)."""
    at = at or now()
    ended = (complaint.closed_at or at) if complaint.state in FINISHED else None
    items = [
        clock_of("closure", complaint.closure_due, ended, at),
        clock_of("onsite", complaint.onsite_due, complaint.onsite_at, at, ended),
        clock_of("proposal", complaint.proposal_due, complaint.investigated_at, at, ended),
        clock_of("report", complaint.report_due, complaint.investigated_at, at, ended),
        clock_of("opinion", complaint.opinion_due, complaint.opinion_at, at, ended),
    ]
    if complaint.state != INVALID:
        items.append(progress_clock(complaint, at, reports))
    return [c for c in items if c is not None]


def clocks_for(complaints, at=None):
    """{id: clocks} for many complaints, their progress reports read in one query."""
    at = at or now()
    complaints = list(complaints)
    reports = report_moments_of(c.id for c in complaints)
    return {c.id: clocks(c, at, reports[c.id]) for c in complaints}


def pressing_clocks(complaints, at=None):
    """{id: its late and nearly late clocks}, what a list shows of each complaint. A finished
    complaint has none (closing stops its clocks: met or missed), so only the open ones are
    worked out and only their progress reports read; a list of closed complaints reads none."""
    complaints = list(complaints)
    every = clocks_for([c for c in complaints if c.state not in FINISHED], at)
    return {c.id: [clock for clock in every.get(c.id, ()) if clock.status in (OVERDUE, SOON)]
            for c in complaints}


def is_overdue(complaint, at=None):
    return any(c.status == OVERDUE for c in clocks(complaint, at))


def open_complaints():
    return Complaint.live().where(complaint_is_open())


# What clocks() reads: enough for counting (the home page) without loading whole complaints.
CLOCK_FIELDS = (Complaint.id, Complaint.state, Complaint.received_at, Complaint.closure_due,
                Complaint.closed_at, Complaint.onsite_due, Complaint.onsite_at,
                Complaint.proposal_due, Complaint.investigated_at, Complaint.report_due,
                Complaint.opinion_due, Complaint.opinion_at, Complaint.priority)


# What a list row shows (complaints/_rows.html) besides its clocks, and the owner's name.
ROW_FIELDS = (Complaint.id, Complaint.state, Complaint.received_at, Complaint.priority,
              Complaint.serial, Complaint.severity, Complaint.complainant, Complaint.category,
              Complaint.owner)
# ...and what its clocks are worked out from, when it may be open (pressing_clocks).
LIST_FIELDS = ROW_FIELDS + tuple(field for field in CLOCK_FIELDS
                                 if field.name not in {shown.name for shown in ROW_FIELDS})


class Listed(SimpleNamespace):
    """A complaint as a list shows it: the columns it reads (LIST_FIELDS), its owner's name
    (owner_name) and its state's label; lighter to build than whole complaints (some seventy
    columns) with their owners."""
    state_label = Complaint.state_label


def listed(query, whole=False, finished=False):
    """The query reading only what a list shows into Listed rows, each named its owner from the
    staff directory, or, `whole`, every column into complaints with their owners joined
    (exports). `finished`: the query selects only finished complaints, which have no clocks
    to read."""
    if whole:
        owner = User.alias("owner")
        return query.join(owner, JOIN.LEFT_OUTER, on=(Complaint.owner == owner.id)).switch(
            Complaint).select(Complaint, owner)
    names = staff.names()

    def row(**columns):
        return Listed(**columns, owner_name=names.get(columns["owner"]))
    return query.select(*(ROW_FIELDS if finished else LIST_FIELDS)).objects(row)


def overdue_and_soon(at=None, counting=False, whole=False):
    """(overdue, due soon) in one pass over the open complaints: overdue has a clock past due;
    due soon has a clock due within 24 hours and none overdue. Earliest closure due first.
    `counting`: only the clock fields are read, as plain tuples; `whole`: every column."""
    at = at or now()
    # Only complaints with a deadline not met within the next day can be late or nearly late
    # (next_due is kept on every save; None when not yet known, e.g. written by hand).
    return _classified(open_complaints().where(Complaint.next_due.is_null() |
                                               (Complaint.next_due <= at + DUE_SOON)),
                       at, counting, whole)


def overdue_and_soon_counts(at=None):
    """How many complaints overdue_and_soon() lists (see overdue_and_soon_later)."""
    return tuple(read_later(list(overdue_and_soon_later(at))))


def open_count(condition):
    """How many open complaints meet `condition` (a query for Prepared)."""
    return open_complaints().select(fn.COUNT(Complaint.id)).where(condition)


_LATE_COUNT = Prepared(lambda at: open_count(Complaint.next_due < at))
_SOON_COUNT = Prepared(lambda at, until: open_count((Complaint.next_due > at) &
                                                     (Complaint.next_due <= until)))
_UNSURE_COUNT = Prepared(lambda at: open_count(Complaint.next_due.is_null() |
                                                (Complaint.next_due == at)))


def overdue_and_soon_later(at=None):
    """(overdue, due soon), counted from next_due (the earliest deadline not met), as Laters for
    the home page: before now is overdue, within a day is due soon. Complaints whose next_due
    is not known, or is this very moment (where the clocks' own edge rules decide), are
    classified by their clocks."""
    at = at or now()
    unsure = []

    def plus_unsure(which):
        def then(count, uncertain):
            if uncertain and not unsure:
                unsure.extend(_classified(open_complaints().where(
                    Complaint.next_due.is_null() | (Complaint.next_due == at)), at,
                    counting=True))
            return count + (len(unsure[which]) if uncertain else 0)
        return then
    return (later_all([_LATE_COUNT.later(at), _UNSURE_COUNT.later(at)], plus_unsure(0)),
            later_all([_SOON_COUNT.later(at, at + DUE_SOON), _UNSURE_COUNT.later(at)],
                      plus_unsure(1)))


def _classified(query, at, counting=False, whole=False):
    """(overdue, due soon) among `query`'s complaints, each ordered by due_order."""
    query = query.select(*CLOCK_FIELDS).namedtuples() if counting else listed(query, whole)
    candidates = list(query)
    every = clocks_for(candidates, at)
    overdue, soon = [], []
    for complaint in candidates:
        states = {c.status for c in every[complaint.id]}
        if OVERDUE in states:
            overdue.append(complaint)
        elif SOON in states:
            soon.append(complaint)
    overdue.sort(key=due_order)
    soon.sort(key=due_order)
    return overdue, soon


def due_order(complaint):
    """How the late and nearly late lists are ordered: A-class customers' first (seed 000), then
    earliest closure due (any without one first of all), then by id; the same on SQLite and
    PostgreSQL, which sort NULL apart."""
    due = complaint.closure_due
    return -complaint.priority, due is not None, due or datetime.datetime.min, complaint.id


def overdue_list(at=None, whole=False):
    return overdue_and_soon(at, whole=whole)[0]


def due_soon_list(at=None, whole=False):
    return overdue_and_soon(at, whole=whole)[1]


