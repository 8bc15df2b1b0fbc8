"""客诉案件统计表: a month's complaint statistics on screen and as a PDF."""
import datetime

from flask import redirect, url_for
from flask_babel import gettext as _

from blueprints.helpers import (
    external_url,
    month_arg,
    pdf_response,
    render,
    sheet_response,
    sign_off_month,
    signoff_context,
)
from models.complaints import SEVERITIES, STATS_DUE_DAY
from services import charts, reports, signoffs

from . import bp, statistics


def month_charts(year, month):
    """The month's complaints per week by category, and the on-time rate over a year."""
    week_labels, by_category = reports.complaints_per_week(year, month)
    month_end = datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(1)
    month_labels, rates = reports.on_time_rate_by_month(month_end)
    return [charts.bars(_("每周投诉（按类别）"), week_labels, by_category),
            charts.line(_("按时结案率（按月）"), month_labels, [(_("按时结案率"), rates)],
                        unit="%", top=100)]


@bp.route("/stats")
def stats():
    """Counts by category, department and severity; on-time share, mean days, satisfaction."""
    year, month = month_arg(due_day=STATS_DUE_DAY)
    return render("complaints/stats.html", stats=statistics.monthly_stats(year, month),
                  severities=SEVERITIES, charts=month_charts(year, month),
                  **signoff_context(signoffs.COMPLAINT_STATS, year, month,
                                    "complaints.stats_confirm"))


@bp.route("/stats/confirm", methods=["POST"])
def stats_confirm():
    """A manager confirms the month's statistics (due by the 10th of the next month)."""
    year, month = month_arg(due_day=STATS_DUE_DAY)
    sign_off_month(signoffs.COMPLAINT_STATS, year, month,
                   _("已确认 %(month)s 投诉统计", month=signoffs.period(year, month)))
    return redirect(url_for("complaints.stats", month=signoffs.period(year, month)))


@bp.route("/stats/staff-notice")
def staff_notice():
    """人事公布单: the month's approved penalties, published by the 10th of the next month."""
    year, month = month_arg(due_day=STATS_DUE_DAY)
    rows = [[notice.complaint.serial, notice.target, str(notice.kind_label),
             f"{notice.amount:.2f}", notice.reason, notice.approved_at.strftime("%Y-%m-%d")]
            for notice in statistics.staff_notice(year, month)]
    period = signoffs.period(year, month)
    return sheet_response("print/register.html", f"人事公布单-{year}{month:02d}.pdf", rows,
                          title=_("人事公布单"), number=period, landscape=False, period=period,
                          headers=[_("客诉编号"), _("对象"), _("奖/罚"), _("金额（元）"),
                                   _("事由"), _("批准日期")],
                          signs=[_("总经理室"), _("人事单位"), _("总经理")])


@bp.route("/stats/print")
def stats_print():
    """The month's statistics as a PDF."""
    year, month = month_arg(due_day=STATS_DUE_DAY)
    period = signoffs.period(year, month)
    return pdf_response("print/complaint_stats.html", f"客诉案件统计表-{year}{month:02d}.pdf",
                        title=_("客诉案件统计表"), number=period,
                        qr_url=external_url("complaints.stats", month=period),
                        stats=statistics.monthly_stats(year, month), severities=SEVERITIES,
                        charts=month_charts(year, month), background=True)
