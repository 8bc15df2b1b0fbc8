"""Follow-ups (回访): due and overdue lists, planning one, recording the outcome and the report."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.helpers import (
    excel_response,
    get_or_404,
    once_per_form,
    record_or_none,
    render,
    show_form,
)
from models import Customer, FollowUp, User, clock
from services.customers import create_followup

from . import bp, service
from .forms import FollowUpForm, FollowUpRecordForm, FollowUpReportForm


def _followup_or_404(id):
    return get_or_404(FollowUp, id)


@bp.route("/followups")
def followups():
    """Follow-ups due or overdue and reports waiting; ?mine=1 for one's own, ?all=1 for history."""
    today = clock.today()
    mine = request.args.get("mine") == "1"
    calls, reports = service.followups_due(today, user=current_user.id if mine else None)
    history = []
    if request.args.get("all") == "1":
        history = list(FollowUp.select().where(FollowUp.not_voided())
                       .order_by(FollowUp.id.desc()).limit(200))
    return render("reception/followups.html", calls=calls, reports=reports, history=history,
                  today=today, mine=mine)


@bp.route("/followups/new", methods=["GET", "POST"])
@once_per_form
def followup_new():
    """Plan a follow-up with a customer."""
    form = FollowUpForm()
    if request.method == "GET":
        form.planned_on.data = clock.today()
        form.assigned_to.data = str(current_user.id)
        form.customer.data = request.args.get("customer", "")
    customer = (record_or_none(Customer, form.customer.data))
    if form.validate_on_submit():
        followup = create_followup(
            form.subject.data.strip(), form.planned_on.data, customer=customer,
            assigned_to=User.get_by_id(int(form.assigned_to.data)), method=form.method.data,
            actor=current_user)
        flash(_("已安排回访"), "success")
        return redirect(url_for("reception.followup_detail", id=followup.id))
    return show_form("reception/followup_form.html", form, customer=customer)


@bp.route("/followups/<int:id>")
def followup_detail(id):
    """One follow-up: plan, outcome, report."""
    followup = _followup_or_404(id)
    return render("reception/followup_detail.html", followup=followup,
                  report_form=FollowUpReportForm(), today=clock.today())


@bp.route("/followups/<int:id>/record", methods=["GET", "POST"])
def followup_record(id):
    """The follow-up was made: method, outcome, satisfaction 1–5."""
    followup = _followup_or_404(id)
    form = FollowUpRecordForm(obj=followup)
    if request.method == "GET":
        form.satisfaction.data = str(followup.satisfaction) if followup.satisfaction else None
    if form.validate_on_submit():
        service.record_followup(followup, form.outcome.data.strip(), int(form.satisfaction.data),
                                current_user, method=form.method.data)
        flash(_("已记录回访结果，回访报告请于明天前提交"), "success")
        return redirect(url_for("reception.followup_detail", id=id))
    return show_form("reception/followup_record.html", form, followup=followup)


@bp.route("/followups/<int:id>/report", methods=["POST"])
def followup_report(id):
    """File the follow-up report (due the day after the follow-up)."""
    followup = _followup_or_404(id)
    form = FollowUpReportForm()
    if followup.done_at is None:
        abort(409)
    if form.validate_on_submit():
        service.file_report(followup, form.report.data.strip(), current_user)
        flash(_("已提交回访报告"), "success")
        return redirect(url_for("reception.followup_detail", id=id))
    return show_form("reception/followup_detail.html", form, followup=followup, report_form=form,
                     today=clock.today())


@bp.route("/followups/export")
def followups_export():
    """All follow-ups (or mine with ?mine=1), as an Excel workbook."""
    query = FollowUp.select().where(FollowUp.not_voided())
    if request.args.get("mine") == "1":
        query = query.where(FollowUp.assigned_to == current_user.id)

    def row(f):
        return [f.planned_on, f.title, f.customer.name if f.customer else "",
                str(f.source_label), str(f.method_label),
                f.assigned_to.display_name if f.assigned_to else "", f.done_at, f.outcome,
                f.satisfaction, f.report_due, f.reported_at]
    headers = [_("计划日期"), _("回访事项"), _("客户"), _("来源"), _("方式"), _("负责人"),
               _("回访时间"), _("回访结果"), _("满意度"), _("报告期限"), _("回访报告")]
    return excel_response("回访.xlsx", _("回访"), headers, query.order_by(FollowUp.planned_on),
                          "FollowUp", row)
