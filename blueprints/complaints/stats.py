"""客诉案件统计表: a month's complaint statistics on screen and as a PDF."""
import datetime

from flask import request
from flask_babel import gettext as _

from blueprints.helpers import external_url, pdf_response, render
from models.complaints import SEVERITIES

from . import bp, service


def _month():
    """?month=YYYY-MM; the previous month by default (the report is due by the 10th)."""
    try:
        year, month = (int(x) for x in request.args.get("month", "").split("-"))
        datetime.date(year, month, 1)
        return year, month
    except ValueError:
        first = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
        return first.year, first.month


@bp.route("/stats")
def stats():
    """Counts by category, department and severity; on-time share, mean days, satisfaction."""
    year, month = _month()
    return render("complaints/stats.html", stats=service.monthly_stats(year, month),
                  severities=SEVERITIES)


@bp.route("/stats/print")
def stats_print():
    """The month's statistics as a PDF."""
    year, month = _month()
    return pdf_response("print/complaint_stats.html", f"客诉案件统计表-{year}{month:02d}.pdf",
                        title=_("客诉案件统计表"), number=f"{year}-{month:02d}",
                        qr_url=external_url("complaints.stats", month=f"{year}-{month:02d}"),
                        stats=service.monthly_stats(year, month), severities=SEVERITIES)
