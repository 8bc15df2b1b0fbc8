"""Returns (退换货申请, TH-): request with item lines, approval, arrival, inspection, settlement."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.helpers import (
    excel_response,
    external_url,
    get_or_404,
    once_per_form,
    pdf_response,
    record_or_none,
    render,
    show_form,
)
from models import Complaint, ReturnLine, ReturnRequest, clock
from models.base import literal

from . import bp, returning
from .forms import ReturnForm, ReturnStepForm
from .service import WorkflowError


def _return_or_404(id):
    return get_or_404(ReturnRequest, id)


@bp.route("/returns")
def returns():
    """Return requests, newest first."""
    rows = list(ReturnRequest.select().where(ReturnRequest.not_voided())
                .order_by(ReturnRequest.id.desc()).limit(literal(200)))
    return render("complaints/returns.html", rows=rows)


@bp.route("/returns/new", methods=["GET", "POST"])
@once_per_form
def return_new():
    """Request a return or exchange; a purchase from an earlier calendar year is refused."""
    form = ReturnForm()
    complaint = None
    complaint = record_or_none(Complaint, request.values.get("complaint"))
    if request.method == "GET" and complaint:
        form.customer_name.data = complaint.complainant
        form.complaint.data = str(complaint.id)
        form.reason.data = complaint.content
        form.quality.data = complaint.category == "产品质量"
    if form.validate_on_submit():
        lines = [ReturnLine(item=line.item.data.strip(), quantity=line.quantity.data,
                            unit_price=line.unit_price.data)
                 for line in form.lines if (line.item.data or "").strip() and line.quantity.data]
        return_request = ReturnRequest(
            customer_name=form.customer_name.data.strip(), purchase_date=form.purchase_date.data,
            requested_at=clock.now(),
            reason=form.reason.data.strip(), quality=form.quality.data, complaint=complaint,
            batch=form.batch.data, area_manager=form.area_manager.data.strip(),
            customer=complaint.customer if complaint else None)
        try:
            returning.create_return(return_request, lines, current_user)
        except WorkflowError as refused:
            field = getattr(form, refused.field or "reason")
            field.errors = list(field.errors) + [str(refused)]
            return show_form("complaints/return_form.html", form, complaint=complaint)
        flash(_("已登记退换货申请 %(serial)s", serial=return_request.serial), "success")
        return redirect(url_for("complaints.return_detail", id=return_request.id))
    return show_form("complaints/return_form.html", form, complaint=complaint)


@bp.route("/returns/<int:id>")
def return_detail(id):
    """One return request with its lines and clocks."""
    return_request = _return_or_404(id)
    return render("complaints/return_detail.html", request_=return_request,
                  clocks=returning.return_clocks(return_request), form=ReturnStepForm(),
                  freight=returning.freight_payer(return_request.quality))


@bp.route("/returns/<int:id>/batch", methods=["POST"])
def return_batch(id):
    """The quality department's confirmation of a batch objection."""
    return_request = _return_or_404(id)
    form = ReturnStepForm()
    if form.validate_on_submit():
        try:
            returning.confirm_batch(return_request, current_user, form.note.data or "")
            flash(_("已认定批量质量"), "success")
        except WorkflowError as refused:
            flash(str(refused), "error")
    return redirect(url_for("complaints.return_detail", id=id))


@bp.route("/returns/<int:id>/<step>", methods=["POST"])
def return_step(id, step):
    """Approve, refuse, receive, inspect or settle a return, in that order."""
    return_request = _return_or_404(id)
    if step not in returning.RETURN_STEPS:
        abort(404)
    form = ReturnStepForm()
    if form.validate_on_submit():
        try:
            returning.return_step(return_request, step, current_user, note=form.note.data or "")
            flash(_("已保存"), "success")
        except WorkflowError as refused:
            flash(str(refused), "error")
    return redirect(url_for("complaints.return_detail", id=id))


@bp.route("/returns/<int:id>/print")
def return_print(id):
    """退换货申请表 as a PDF."""
    return_request = _return_or_404(id)
    return pdf_response("print/return.html", f"退换货申请表-{return_request.serial}.pdf",
                        record=return_request, title=_("退换货申请表"),
                        number=return_request.serial,
                        qr_url=external_url("complaints.return_detail", id=id),
                        request_=return_request,
                        freight=returning.freight_payer(return_request.quality))


@bp.route("/returns/export")
def returns_export():
    """Return requests, as an Excel workbook."""
    def row(r):
        return [r.serial, r.requested_at, r.customer_name, r.purchase_date, r.reason,
                _("是") if r.quality else _("否"), str(r.state_label), r.arrived_at,
                r.inspected_at, r.settled_at]
    headers = [_("单号"), _("申请时间"), _("客户"), _("购买日期"), _("原因"), _("质量问题"), _("状态"),
               _("到货时间"), _("检验"), _("处理完毕")]
    return excel_response("退换货.xlsx", _("退换货"), headers,
                          ReturnRequest.select().where(ReturnRequest.not_voided())
                          .order_by(ReturnRequest.id), "ReturnRequest", row)
