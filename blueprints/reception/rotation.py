"""The sales-floor rotation (轮流接待): today's order, who takes the next arrival, the history."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    date_arg,
    date_range_args,
    excel_response,
    external_url,
    once_per_form,
    pdf_response,
    record_or_none,
    render,
    show_form,
)
from models import Customer, Referral, RotationTurn, User, clock
from models.base import literal
from models.reception import ABSENT, BUSY, PRESENT, SLOT_STATUSES
from services import identity

from . import bp, service
from .forms import ReceiveForm, ReferralForm, RotationAddForm


def _day():
    return date_arg("day", clock.today())


def _board(day, receive_form=None, referral_form=None, result=None):
    slots = service.day_slots(day)
    add_form = RotationAddForm()
    in_rotation = {s.user_id for s in slots}
    add_form.user.choices = [c for c in add_form.user.choices if int(c[0]) not in in_rotation]
    receive_form = receive_form or ReceiveForm()
    referrals = list(Referral.select().where((Referral.expected_on == day) &
                                             Referral.used_at.is_null()))
    receive_form.referral.choices = [("", "—")] + [
        (str(r.id), f"{r.name}（{r.staff.display_name}）") for r in referrals]
    turns = list(service.turns_visible_to(RotationTurn.select().where(
        RotationTurn.day == day), current_user).order_by(RotationTurn.id))
    last = service.last_turn_user(day)
    upcoming = service.next_receiver([(s.user_id, s.status) for s in slots], last)
    return dict(day=day, slots=slots, add_form=add_form, receive_form=receive_form,
                referral_form=referral_form or ReferralForm(expected_on=day), turns=turns,
                counts=service.turn_counts(day), statuses=SLOT_STATUSES,
                upcoming=User.get_by_id(upcoming.user_id) if upcoming else None,
                result=result, referrals=referrals)


@bp.route("/rotation")
def rotation():
    """Today's rotation board: the order, who is next, and every reception so far."""
    return render("reception/rotation.html", **_board(_day()))


@bp.route("/rotation/receive", methods=["POST"])
@once_per_form
def rotation_receive():
    """Who takes this arrival? Applies the rule and records the turn."""
    day = _day()
    form = ReceiveForm()
    board = _board(day, receive_form=form)
    if not form.validate_on_submit():
        return show_form("reception/rotation.html", form, **board)
    customer = None
    number = identity.normalize_phone(form.phone.data)
    if number:
        customer = (Customer.select().where((Customer.phone == number) &
                                            Customer.not_voided())
                    .order_by(Customer.id).first())
    referral = (record_or_none(Referral, form.referral.data))
    turn = service.receive(day, current_user, customer=customer, referral=referral,
                           visitor_name=form.visitor_name.data or "")
    if turn is None:
        flash(_("当前没有可接待的员工（全部缺勤或忙碌）。"), "error")
    else:
        flash(_("请 %(name)s 接待（%(kind)s）", name=turn.user.display_name, kind=turn.kind_label),
              "success")
    return redirect(url_for("reception.rotation", day=day.isoformat()))


@bp.route("/rotation/add", methods=["POST"])
def rotation_add():
    """Put a staff member on today's rotation (at the end, also mid-day)."""
    day = _day()
    form = RotationAddForm()
    if form.validate_on_submit():
        service.add_to_rotation(day, User.get_by_id(int(form.user.data)))
    return redirect(url_for("reception.rotation", day=day.isoformat()))


@bp.route("/rotation/copy", methods=["POST"])
def rotation_copy():
    """Start the day with the previous day's order."""
    day = _day()
    if ButtonForm().validate_on_submit():
        if not service.copy_previous_order(day):
            flash(_("没有可沿用的排班，或今天已有排班。"), "info")
    return redirect(url_for("reception.rotation", day=day.isoformat()))


def _slot_user():
    user = record_or_none(User, request.form.get("user"))
    if user is None:
        abort(404)
    return user


@bp.route("/rotation/move", methods=["POST"])
def rotation_move():
    """Move a staff member up or down the order."""
    day = _day()
    if ButtonForm().validate_on_submit():
        service.move_in_rotation(day, _slot_user(), -1 if request.form.get("dir") == "up" else 1)
    return redirect(url_for("reception.rotation", day=day.isoformat()))


@bp.route("/rotation/status", methods=["POST"])
def rotation_status():
    """Mark a staff member present, busy or absent (skipped while not present)."""
    day = _day()
    status = request.form.get("status")
    if ButtonForm().validate_on_submit() and status in (PRESENT, BUSY, ABSENT):
        service.set_slot_status(day, _slot_user(), status)
    return redirect(url_for("reception.rotation", day=day.isoformat()))


@bp.route("/rotation/referrals", methods=["POST"])
@once_per_form
def referral_new():
    """Pre-register a referred customer: on arrival they go to this staff member."""
    day = _day()
    form = ReferralForm()
    if form.validate_on_submit():
        Referral.create(staff=current_user.id, name=form.name.data.strip(),
                        phone=identity.normalize_phone(form.phone.data),
                        expected_on=form.expected_on.data, note=form.note.data or "")
        flash(_("已登记转介绍：%(name)s", name=form.name.data), "success")
        return redirect(url_for("reception.rotation", day=day.isoformat()))
    return show_form("reception/rotation.html", form, **_board(day, referral_form=form))


@bp.route("/rotation/print")
def rotation_print():
    """The day's rotation and receptions as a PDF for the manager."""
    board = _board(_day())
    return pdf_response("print/rotation.html", f"轮流接待-{board['day'].isoformat()}.pdf",
                        title=_("轮流接待记录"), number=board["day"].isoformat(),
                        qr_url=external_url("reception.rotation", day=board["day"].isoformat()),
                        **board)


def _turns_between(start, end):
    """The period's receptions as the signed-in user may see them (service.turns_visible_to)."""
    return service.turns_visible_to(
        RotationTurn.select(RotationTurn, User).join(User, on=RotationTurn.user)
        .where((RotationTurn.day >= start) & (RotationTurn.day <= end)),
        current_user).order_by(RotationTurn.day, RotationTurn.id)


@bp.route("/rotation/history")
def rotation_history():
    """Every reception of a period (this month by default) and how many turns each person took."""
    start, end = date_range_args()
    turns = list(_turns_between(start, end).limit(literal(1000)))
    totals = {}
    for turn in turns:
        name = turn.user.display_name
        totals[name] = totals.get(name, 0) + (1 if turn.consumes_turn else 0)
    return render("reception/rotation_history.html", turns=turns, start=start, end=end,
                  totals=sorted(totals.items(), key=lambda item: -item[1]))


@bp.route("/rotation/export")
def rotation_export():
    """The period's receptions, as an Excel workbook."""
    start, end = date_range_args()

    def row(t):
        return [t.day, t.at, t.visitor_name, t.user.display_name, str(t.kind_label),
                _("是") if t.consumes_turn else _("否")]
    headers = [_("日期"), _("时间"), _("来客"), _("接待人"), _("方式"), _("计入轮次")]
    return excel_response("轮流接待记录.xlsx", _("轮流接待记录"), headers,
                          _turns_between(start, end), "RotationTurn", row)
