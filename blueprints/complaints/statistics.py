"""The monthly complaint statistics (客诉案件统计表)."""
import datetime
from collections import Counter, namedtuple
from decimal import Decimal

from models import (
    Complaint,
    PenaltyNotice,
    ResponsibilityShare,
)
from models.complaints import (
    CLOSED,
    INVALID,
    PENALTY,
)

# ---- monthly statistics ------------------------------------------------------------------------

def month_bounds(year, month):
    start = datetime.datetime(year, month, 1)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


Stats = namedtuple("Stats", "year month received by_category by_department by_severity closed "
                            "closed_on_time on_time_rate mean_days overdue satisfaction "
                            "satisfaction_count invalid closed_by_category responsibility "
                            "penalties penalty_total")


def monthly_stats(year, month):
    """客诉案件统计表: received in the month by category, department and severity; closed in the
    month on time and mean days to close; open and past closure at month end; mean satisfaction."""
    start, end = month_bounds(year, month)
    live = Complaint.not_voided()
    received = list(Complaint.select().where(live & (Complaint.received_at >= start) &
                                             (Complaint.received_at < end)))
    closed = list(Complaint.select().where(live & (Complaint.state == CLOSED) &
                                           (Complaint.closed_at >= start) &
                                           (Complaint.closed_at < end)))
    on_time = [c for c in closed if c.closed_at <= c.closure_due]
    days = [(c.closed_at - c.received_at).total_seconds() / 86400 for c in closed]
    overdue = Complaint.select().where(
        live & (Complaint.received_at < end) & (Complaint.closure_due < end) &
        ((Complaint.closed_at.is_null()) | (Complaint.closed_at >= end)) &
        (Complaint.state != INVALID)).count()
    rated = [c.satisfaction for c in Complaint.select().where(
        live & (Complaint.followed_up_at >= start) & (Complaint.followed_up_at < end) &
        Complaint.satisfaction.is_null(False))]
    responsibility, penalties = closed_outcomes([c.id for c in closed])
    return Stats(
        year, month, len(received),
        sorted(Counter(c.category for c in received).items()),
        sorted(Counter(c.responsible_dept or "—" for c in received).items()),
        sorted(Counter(c.severity for c in received).items()),
        len(closed), len(on_time),
        round(100 * len(on_time) / len(closed), 1) if closed else None,
        round(sum(days) / len(days), 1) if days else None,
        overdue,
        round(sum(rated) / len(rated), 2) if rated else None, len(rated),
        sum(1 for c in received if c.state == INVALID),
        sorted(Counter(c.category for c in closed).items()), responsibility, penalties,
        sum((amount for _target, _count, amount in penalties), Decimal("0")))


def closed_outcomes(ids):
    """Of the cases closed in a month (seed 000 第九条（九）: 汇总上月份结案的案件…判定责任归属
    确认及比率): per department the cases it shares and its share of them all (the percents
    summed over the cases, over the number of cases); per target the approved penalties."""
    shares = (ResponsibilityShare.select(ResponsibilityShare.department,
                                         ResponsibilityShare.percent)
              .where(ResponsibilityShare.complaint.in_(ids)).tuples()) if ids else []
    cases, percents = Counter(), Counter()
    for department, percent in shares:
        cases[department] += 1
        percents[department] += percent
    responsibility = sorted(((d, cases[d], round(percents[d] / len(ids), 1)) for d in cases),
                            key=lambda row: -row[2])
    notices = (PenaltyNotice.select(PenaltyNotice.target, PenaltyNotice.amount)
               .where(PenaltyNotice.complaint.in_(ids), PenaltyNotice.kind == PENALTY,
                      PenaltyNotice.approved_at.is_null(False), PenaltyNotice.not_voided())
               .tuples()) if ids else []
    counts, amounts = Counter(), Counter()
    for target, amount in notices:
        counts[target] += 1
        amounts[target] += amount
    return responsibility, sorted(((t, counts[t], amounts[t]) for t in counts),
                                  key=lambda row: -row[2])


def staff_notice(year, month):
    """人事公布单: the penalties approved for the cases closed in the month, to publish by the
    10th (第十二条（一）). [(notice, complaint serial)]."""
    start, end = month_bounds(year, month)
    closed = Complaint.select(Complaint.id).where(
        Complaint.not_voided() & (Complaint.state == CLOSED) & (Complaint.closed_at >= start) &
        (Complaint.closed_at < end))
    return list(PenaltyNotice.select(PenaltyNotice, Complaint.serial)
                .join(Complaint).where(PenaltyNotice.complaint.in_(closed),
                                       PenaltyNotice.approved_at.is_null(False),
                                       PenaltyNotice.not_voided())
                .order_by(Complaint.serial, PenaltyNotice.id))


