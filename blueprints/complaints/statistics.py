"""The monthly complaint statistics (客诉案件统计表)."""
import datetime
from collections import Counter, namedtuple

from models import (
    Complaint,
)
from models.complaints import (
    CLOSED,
    INVALID,
)

# ---- monthly statistics ------------------------------------------------------------------------

def month_bounds(year, month):
    start = datetime.datetime(year, month, 1)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


Stats = namedtuple("Stats", "year month received by_category by_department by_severity closed "
                            "closed_on_time on_time_rate mean_days overdue satisfaction "
                            "satisfaction_count invalid")


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
        sum(1 for c in received if c.state == INVALID))


