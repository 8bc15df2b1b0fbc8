"""The desk's side of visitor self-registration: the QR poster and tablet page, the waiting
list with one-tap confirmation, invitations, the pass (58/80 mm PDF or ESC/POS), and sign-out
by scanning the pass."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    external_url,
    get_or_404,
    once_per_form,
    pdf_response,
    record_id,
    record_or_none,
    render,
    show_form,
    site_settings,
)
from models import Customer, Invitation, User, Visit, VisitRequest, clock
from models.base import literal
from services import audit, printing, receipts

from . import bp, selfreg, service
from .forms import ConfirmRequestForm, InvitationForm, RefuseRequestForm, ScanForm

PASS_WIDTHS = (58, 80)


def _request_or_404(id):
    return get_or_404(VisitRequest, id)


# ---- the QR code at the desk -------------------------------------------------------------------

@bp.route("/self/qr")
def selfreg_qr():
    """The tablet shows the registration page's QR code to the visitor."""
    url = external_url("visitors.register")
    return render("reception/selfreg_qr.html", url=url, qr=printing.qr_data_uri(url))


@bp.route("/self/poster")
def selfreg_poster():
    """The A5 poster for the counter."""
    url = external_url("visitors.register")
    return pdf_response("print/poster.html", "访客自助登记.pdf", title=_("访客自助登记"),
                        poster_qr=printing.qr_data_uri(url), poster_url=url)


# ---- waiting entries ---------------------------------------------------------------------------

def _waiting_rows():
    rows = []
    for entry in selfreg.waiting():
        rows.append((entry, selfreg.repeat_visitor(entry),
                     service.blacklist_warnings(entry.phone, entry.plate)))
    return rows


@bp.route("/self/")
def selfreg_waiting():
    """Entries visitors made on their phones, waiting for the desk to see their ID."""
    return render("reception/selfreg_waiting.html", "reception/_selfreg_rows.html",
                  rows=_waiting_rows())


def _confirmed(visit, told):
    flash(_("已确认并登记 %(serial)s %(name)s", serial=visit.serial, name=visit.name), "success")
    if told:
        flash(_("已通知被访人：%(name)s", name=told), "success")
    return redirect(url_for("reception.visit_pass", id=visit.id))


@bp.route("/self/<int:id>/confirm", methods=["GET", "POST"])
@once_per_form
def selfreg_confirm(id):
    """Confirm after checking the ID: one tap from the list (class C, the clerk as host), or
    this form with the class, host, ID and, for a blacklist match, the reason to let them in."""
    entry = _request_or_404(id)
    if not entry.waiting:
        flash(_("该登记已由他人处理"), "error")
        return redirect(url_for("reception.selfreg_waiting"))
    form = ConfirmRequestForm()
    if request.method == "GET":
        form.host.data = str(current_user.id)
    hits = None
    if form.validate_on_submit():
        try:
            visit, told = selfreg.confirm(
                entry, current_user, site_settings(), form.reception_class.data,
                User.get_or_none(User.id == int(form.host.data)), form.id_type.data,
                form.id_number.data or "", form.release_reason.data or "")
        except selfreg.Blacklisted as refused:
            form.release_reason.errors = [refused.message]
            hits = refused.hits
        except selfreg.SelfRegError as refused:
            flash(refused.message, "error")
            return redirect(url_for("reception.selfreg_waiting"))
        else:
            return _confirmed(visit, told)
    if hits is None:
        hits = service.blacklist_warnings(entry.phone, entry.plate, form.id_number.data or "")
    return show_form("reception/selfreg_confirm.html", form, entry=entry, hits=hits,
                     previous=selfreg.repeat_visitor(entry), refuse_form=RefuseRequestForm())


@bp.route("/self/<int:id>/quick", methods=["POST"])
@once_per_form
def selfreg_quick(id):
    """One tap: the ID seen, class C, the clerk hosting. A blacklist match goes to the form."""
    entry = _request_or_404(id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        visit, told = selfreg.confirm(entry, current_user, site_settings())
    except selfreg.Blacklisted as refused:
        flash(refused.message, "error")
        return redirect(url_for("reception.selfreg_confirm", id=id))
    except selfreg.SelfRegError as refused:
        flash(refused.message, "error")
        return redirect(url_for("reception.selfreg_waiting"))
    return _confirmed(visit, told)


@bp.route("/self/<int:id>/refuse", methods=["POST"])
def selfreg_refuse(id):
    entry = _request_or_404(id)
    form = RefuseRequestForm()
    if form.validate_on_submit():
        try:
            selfreg.refuse(entry, current_user, form.reason.data)
        except selfreg.SelfRegError as refused:
            flash(refused.message, "error")
        else:
            flash(_("已标记为未通过"), "success")
        return redirect(url_for("reception.selfreg_waiting"))
    return show_form("reception/selfreg_confirm.html", ConfirmRequestForm(formdata=None),
                     entry=entry, hits=[], previous=selfreg.repeat_visitor(entry),
                     refuse_form=form)


# ---- the pass ----------------------------------------------------------------------------------

def _visitee_of(visit):
    return visit.visitee or (visit.visitee_staff.display_name if visit.visitee_staff else "")


@bp.route("/visits/<int:id>/pass")
def visit_pass(id):
    """A confirmed visitor's pass: print it on 58 or 80 mm paper, or on the counter's printer."""
    visit = get_or_404(Visit, id)
    return render("reception/visit_pass.html", visit=visit, widths=PASS_WIDTHS,
                  printer=site_settings()["pass_printer"])


@bp.route("/visits/<int:id>/pass.pdf")
def pass_pdf(id):
    visit = get_or_404(Visit, id)
    width = record_id(request.args.get("width"))
    if width not in PASS_WIDTHS:
        abort(404)
    return pdf_response("print/pass.html", f"访客通行证-{visit.serial}.pdf", record=visit,
                        title=_("访客通行证"), visit=visit, width=width,
                        visitee=_visitee_of(visit),
                        pass_qr=printing.qr_data_uri(selfreg.pass_code(visit)))


@bp.route("/visits/<int:id>/pass/escpos", methods=["POST"])
def pass_escpos(id):
    """The pass straight to the counter's ESC/POS printer (the pass_printer setting)."""
    visit = get_or_404(Visit, id)
    address = site_settings()["pass_printer"]
    if not ButtonForm().validate_on_submit() or not address:
        abort(400)
    lines = [(_("单号"), visit.serial), (_("访客"), visit.name), (_("被访"), _visitee_of(visit)),
             (_("接待场所"), visit.venue or "—"),
             (_("到达"), visit.arrived_at.strftime("%Y-%m-%d %H:%M"))]
    if visit.night_duty:
        lines.append((_("夜班登记"), _("是")))
    try:
        receipts.print_pass(address, _("访客通行证"), lines, selfreg.pass_code(visit))
    except (receipts.PrinterError, ValueError):
        flash(_("小票打印机 %(address)s 无法连接，请检查打印机或改用 PDF 打印",
                address=address), "error")
    else:
        audit.log_access(current_user, audit.PRINT, obj=visit, detail=_("访客通行证"))
        flash(_("已发送到小票打印机"), "success")
    return redirect(url_for("reception.visit_pass", id=id))


# ---- sign-out by scan --------------------------------------------------------------------------

@bp.route("/scan", methods=["GET", "POST"])
def scan():
    """Sign a visitor out by scanning their pass with the tablet's camera, or typing its number."""
    form = ScanForm()
    if form.validate_on_submit():
        try:
            visit = selfreg.visit_for_code(form.code.data)
        except selfreg.SelfRegError as refused:
            form.code.errors = [refused.message]
        else:
            if visit.left_at is not None:
                flash(_("%(serial)s %(name)s 已于 %(at)s 签离", serial=visit.serial,
                        name=visit.name, at=visit.left_at.strftime("%H:%M")), "info")
            else:
                service.sign_out(visit, current_user)
                flash(_("已签离 %(serial)s %(name)s", serial=visit.serial, name=visit.name),
                      "success")
            return redirect(url_for("reception.scan"))
    return show_form("reception/scan.html", form)


# ---- invitations -------------------------------------------------------------------------------

@bp.route("/invitations", methods=["GET", "POST"])
@once_per_form
def invitations():
    """Invitations from today on: create one for a resident or a member of staff."""
    form = InvitationForm()
    if request.method == "GET":
        form.visit_on.data = clock.today()
    if form.validate_on_submit():
        customer = record_or_none(Customer, form.visitee_customer.data)
        staff = User.get_or_none(User.id == record_id(form.visitee_staff.data)) \
            if form.visitee_staff.data else None
        visitee = (form.visitee.data or "").strip() or (
            f"{customer.unit_label} {customer.name}".strip() if customer else
            staff.display_name if staff else "")
        try:
            invitation = selfreg.invite(current_user, form.visit_on.data, visitee, staff, customer,
                                        form.visitor_name.data or "", form.purpose.data or "",
                                        form.headcount.data)
        except selfreg.SelfRegError as refused:
            getattr(form, refused.field or "visitee").errors = [refused.message]
        else:
            flash(_("已生成邀请码 %(code)s", code=invitation.code), "success")
            return redirect(url_for("reception.invitation", id=invitation.id))
    upcoming = (Invitation.live().where(Invitation.visit_on >= clock.today())
                .order_by(Invitation.visit_on, Invitation.id).limit(literal(200)))
    return show_form("reception/invitations.html", form, upcoming=list(upcoming),
                     visitee=record_or_none(Customer, form.visitee_customer.data))


@bp.route("/invitations/<int:id>")
def invitation(id):
    """One invitation: its code, link and QR code, to send to the visitor."""
    invitation = get_or_404(Invitation, id)
    url = external_url("visitors.invited", code=invitation.code)
    return render("reception/invitation.html", invitation=invitation, url=url,
                  qr=printing.qr_data_uri(url))


@bp.route("/invitations/<int:id>/void", methods=["POST"])
def invitation_void(id):
    invitation = get_or_404(Invitation, id)
    if ButtonForm().validate_on_submit() and not invitation.voided:
        audit.void(invitation, current_user, _("邀请已取消"))
        flash(_("已取消邀请 %(code)s", code=invitation.code), "success")
    return redirect(url_for("reception.invitations"))
