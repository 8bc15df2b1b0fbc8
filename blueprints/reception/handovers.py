"""Shift handovers (交接记录): written by the outgoing shift, acknowledged by the incoming one."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    date_range_args,
    day_bounds,
    excel_response,
    once_per_form,
    render,
    sheet_response,
    show_form,
)
from models import Handover, now
from models.base import literal
from services import audit

from . import bp, service, shifts
from .forms import HandoverForm


def _in_range(start, end):
    since, until = day_bounds(start, end)
    return (Handover.select().where((Handover.at >= since) & (Handover.at < until))
            .order_by(Handover.at.desc()))


@bp.route("/handovers")
def handovers():
    """Handovers waiting to be acknowledged, then those of the period (this month by default)."""
    start, end = date_range_args()
    waiting = [(h, shifts.incoming(h)) for h in service.unacknowledged_handovers(current_user.id)]
    recent = list(_in_range(start, end).limit(literal(200)))
    return render("reception/handovers.html", waiting=waiting, recent=recent, start=start, end=end)


@bp.route("/handovers/export")
def handovers_export():
    """The period's handovers, as an Excel workbook."""
    start, end = date_range_args()

    def row(h):
        return [h.at, str(h.shift_label), h.author.display_name, h.items, h.prospects,
                h.acknowledged_by.display_name if h.acknowledged_by else "", h.acknowledged_at]
    headers = [_("时间"), _("班次"), _("交班人"), _("待处理事项"), _("待联系客户"), _("接班人"),
               _("确认时间")]
    return excel_response("交接记录.xlsx", _("交接记录"), headers, _in_range(start, end),
                          "Handover", row)


@bp.route("/handovers/print")
def handovers_print():
    """交接记录本: the period's handovers as the printed book, one row each."""
    start, end = date_range_args()
    rows = [[h.at.strftime("%Y-%m-%d %H:%M"), str(h.shift_label), h.author.display_name,
             h.items, h.prospects, h.acknowledged_by.display_name if h.acknowledged_by else "",
             h.acknowledged_at.strftime("%Y-%m-%d %H:%M") if h.acknowledged_at else ""]
            for h in _in_range(start, end).order_by(Handover.at)]
    return sheet_response("print/register.html", "交接记录本.pdf", rows, title=_("交接记录本"),
                          landscape=True, period=f"{start} — {end}",
                          headers=[_("时间"), _("班次"), _("交班人"), _("待处理事项"),
                                   _("待联系客户"), _("接班人"), _("确认时间")],
                          signs=[_("交班人"), _("接班人"), _("主管审核")])


@bp.route("/handovers/new", methods=["GET", "POST"])
@once_per_form
def handover_new():
    """Write the handover for the next shift."""
    form = HandoverForm()
    if request.method == "GET":
        form.shift.data = shifts.current_shift(current_user.id, now())
    if form.validate_on_submit():
        handover = Handover(shift=form.shift.data, author=current_user.id,
                            items=(form.items.data or "").strip(),
                            prospects=(form.prospects.data or "").strip())
        audit.save(handover, current_user)
        flash(_("已提交交接记录"), "success")
        return redirect(url_for("reception.handovers"))
    return show_form("reception/handover_form.html", form)


@bp.route("/handovers/<int:id>/acknowledge", methods=["POST"])
def handover_ack(id):
    """The incoming shift has read it."""
    handover = Handover.get_or_none(Handover.id == id)
    if handover is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        if handover.author_id == current_user.id:
            flash(_("交接记录须由接班人员确认。"), "error")
        elif not shifts.may_acknowledge(handover, current_user.id):
            _day, _shift, people = shifts.incoming(handover)
            flash(_("按排班表，应由接班人员确认：%(names)s",
                    names="、".join(p.display_name for p in people)), "error")
        else:
            service.acknowledge(handover, current_user)
            flash(_("已确认接班"), "success")
    return redirect(url_for("reception.handovers"))
