"""客诉案件统计表: a month's complaint statistics on screen and as a PDF."""
from flask_babel import gettext as _

from blueprints.helpers import external_url, month_arg, pdf_response, render
from models.complaints import SEVERITIES

from . import bp, service


@bp.route("/stats")
def stats():
    """Counts by category, department and severity; on-time share, mean days, satisfaction."""
    year, month = month_arg()
    return render("complaints/stats.html", stats=service.monthly_stats(year, month),
                  severities=SEVERITIES)


@bp.route("/stats/print")
def stats_print():
    """The month's statistics as a PDF."""
    year, month = month_arg()
    return pdf_response("print/complaint_stats.html", f"客诉案件统计表-{year}{month:02d}.pdf",
                        title=_("客诉案件统计表"), number=f"{year}-{month:02d}",
                        qr_url=external_url("complaints.stats", month=f"{year}-{month:02d}"),
                        stats=service.monthly_stats(year, month), severities=SEVERITIES)
