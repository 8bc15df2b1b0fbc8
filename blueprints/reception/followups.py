"""Follow-ups (回访): due and overdue lists, planning one, recording the outcome and the report."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.helpers import (
    date_range_args,
    excel_response,
    get_or_404,
    once_per_form,
    pdf_response,
    record_or_none,
    render,
    sheet_response,
    show_form,
)
from models import Customer, FollowUp, User, clock
from models.base import literal
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
                       .order_by(FollowUp.id.desc()).limit(literal(200)))
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
    if not followup.report_open:
        abort(409)
    if form.validate_on_submit():
        service.file_report(followup, form.report.data.strip(), current_user)
        flash(_("已提交回访报告"), "success")
        return redirect(url_for("reception.followup_detail", id=id))
    return show_form("reception/followup_detail.html", form, followup=followup, report_form=form,
                     today=clock.today())


@bp.route("/followups/<int:id>/print")
def followup_print(id):
    """客户回访记录表: one follow-up as its paper form."""
    followup = _followup_or_404(id)
    facts = [(_("回访事项"), followup.title),
             (_("客户"), followup.customer.name if followup.customer else ""),
             (_("房号/地址"), followup.customer.unit_label if followup.customer else ""),
             (_("来源"), str(followup.source_label)), (_("方式"), str(followup.method_label)),
             (_("计划日期"), str(followup.planned_on)),
             (_("负责人"), followup.assigned_to.display_name if followup.assigned_to else ""),
             (_("回访时间"), followup.done_at.strftime("%Y-%m-%d %H:%M")
              if followup.done_at else ""),
             (_("满意度"), str(followup.satisfaction or "")), (_("回访结果"), followup.outcome),
             (_("回访报告"), followup.report)]
    return pdf_response("print/register_entry.html", f"客户回访记录表-{followup.id}.pdf",
                        record=followup, title=_("客户回访记录表"), facts=facts, extra=[],
                        state=None, signs=[_("回访人"), _("客户签名"), _("主管审核")],
                        signature=None)


@bp.route("/followups/report")
def followups_report():
    """客户回访报告表: the period's follow-ups done (this month by default), with the share
    of satisfied customers."""
    start, end = date_range_args()
    since, until = clock.day_bounds(start, end)
    done = list(FollowUp.select().where(FollowUp.not_voided(), FollowUp.done_at >= since,
                                        FollowUp.done_at < until)
                .order_by(FollowUp.done_at).limit(literal(3000)))
    rows = [[f.done_at.strftime("%Y-%m-%d"), f.customer.name if f.customer else "", f.title,
             str(f.method_label), str(f.satisfaction or ""), f.outcome,
             f.assigned_to.display_name if f.assigned_to else ""] for f in done]
    rated = [f.satisfaction for f in done if f.satisfaction]
    satisfied = sum(1 for s in rated if s >= 4)
    totals = [(_("回访次数"), str(len(done))),
              (_("满意率（4 分及以上）"), f"{100 * satisfied / len(rated):.1f}%" if rated else "—")]
    return sheet_response("print/register.html", "客户回访报告表.pdf", rows,
                          title=_("客户回访报告表"), period=f"{start} — {end}",
                          headers=[_("回访日期"), _("客户"), _("回访事项"), _("方式"),
                                   _("满意度"), _("回访结果"), _("回访人")],
                          signs=[_("制表"), _("主管审核")], totals=totals)


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
