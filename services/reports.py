"""The figures behind the charts: weekly, daily and monthly series from the records."""
import datetime
from collections import Counter, defaultdict

from models import Complaint, PointsEntry, RepairRequest, VipCard, Visit, WorkOrder
from models.complaints import CLOSED
from models.repairs import COMPLETED
from models.repairs import STATES as REPAIR_STATES


def months_back(today, count):
    """The first days of the last `count` months, oldest first (this month last)."""
    firsts, year, month = [], today.year, today.month
    for _ in range(count):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(firsts))


def _next_month(first):
    return datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _dt(day):
    return datetime.datetime.combine(day, datetime.time())


def complaints_per_week(year, month):
    """(week labels, [(category, counts per week)]) for the complaints received in a month."""
    first = datetime.date(year, month, 1)
    end = _next_month(first)
    weeks = []
    start = first
    while start < end:
        weeks.append((start, min(start + datetime.timedelta(days=7), end)))
        start += datetime.timedelta(days=7)
    counts = defaultdict(Counter)
    for complaint in Complaint.select().where((Complaint.received_at >= _dt(first)) &
                                              (Complaint.received_at < _dt(end)) &
                                              Complaint.not_voided()):
        index = (complaint.received_at.date() - first).days // 7
        counts[complaint.category][index] += 1
    labels = [f"{a.month}/{a.day}-{(b - datetime.timedelta(days=1)).day}" for a, b in weeks]
    return labels, [(cat, [counts[cat][i] for i in range(len(weeks))])
                    for cat in sorted(counts)]


def on_time_rate_by_month(today, count=12):
    """(month labels, [rate % or None]) of complaints closed on time, by month of closure."""
    labels, rates = [], []
    for first in months_back(today, count):
        closed = list(Complaint.select().where(
            (Complaint.state == CLOSED) & (Complaint.closed_at >= _dt(first)) &
            (Complaint.closed_at < _dt(_next_month(first))) &
            Complaint.not_voided()))
        labels.append(f"{first:%Y-%m}")
        rates.append(round(100 * sum(c.closed_at <= c.closure_due for c in closed) / len(closed),
                           1) if closed else None)
    return labels, rates


def visitors_per_day(today, days=30):
    """(day labels, [(class, counts per day)]) for the last `days` days."""
    start = today - datetime.timedelta(days=days - 1)
    counts = defaultdict(Counter)
    for visit in Visit.select(Visit.arrived_at, Visit.reception_class).where(
            (Visit.arrived_at >= _dt(start)) & Visit.not_voided()):
        counts[visit.reception_class][(visit.arrived_at.date() - start).days] += 1
    labels = [f"{(start + datetime.timedelta(days=i)).day}" for i in range(days)]
    return labels, [(cls, [counts[cls][i] for i in range(days)]) for cls in "ABC"]


def repairs_by_state():
    """(state labels, counts) of all live work orders."""
    counts = Counter(o.state for o in WorkOrder.select(WorkOrder.state).where(
        WorkOrder.not_voided()))
    return [str(label) for label in REPAIR_STATES.values()], [counts[s] for s in REPAIR_STATES]


def repair_hours_by_month(today, count=6):
    """(month labels, mean hours from report to sign-off or None) for completed work orders."""
    labels, means = [], []
    for first in months_back(today, count):
        orders = list(WorkOrder.select(WorkOrder, RepairRequest).join(RepairRequest).where(
            (WorkOrder.state == COMPLETED) & WorkOrder.not_voided() &
            (WorkOrder.accepted_at >= _dt(first)) &
            (WorkOrder.accepted_at < _dt(_next_month(first)))))
        labels.append(f"{first:%Y-%m}")
        hours = [(o.accepted_at - o.request.received_at).total_seconds() / 3600 for o in orders]
        means.append(round(sum(hours) / len(hours), 1) if hours else None)
    return labels, means


def vip_by_month(today, count=12):
    """(month labels, new members, points earned) per month."""
    labels, members, points = [], [], []
    for first in months_back(today, count):
        end = _next_month(first)
        labels.append(f"{first:%Y-%m}")
        members.append(VipCard.select().where((VipCard.issued_on >= first) &
                                              (VipCard.issued_on < end) &
                                              VipCard.previous.is_null()).count())
        points.append(sum(e.delta for e in PointsEntry.select(PointsEntry.delta).where(
            (PointsEntry.kind == "earn") & (PointsEntry.at >= _dt(first)) &
            (PointsEntry.at < _dt(end)))))
    return labels, members, points
