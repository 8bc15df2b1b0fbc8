"""The desk's rota (排班表): the month's grid, kept by a manager, and printed."""
import datetime

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm
from blueprints.helpers import can, month_arg, pdf_response, render
from models import RotaEntry, User
from models.reception import REST, ROTA_CHOICES
from models.users import DESK

from . import bp, shifts


def _people(year, month):
    """The desk staff, and anyone else the month's rota already names."""
    days = shifts.month_days(year, month)
    named = RotaEntry.select(RotaEntry.user).where(
        (RotaEntry.day >= days[0]) & (RotaEntry.day <= days[-1]))
    return list(User.select().where((User.active & (User.role == DESK)) | User.id.in_(named))
                .order_by(User.display_name))


def _grid(year, month):
    people, days = _people(year, month), shifts.month_days(year, month)
    rota = shifts.month_rota(year, month)
    rests = {p.id: sum(1 for d in days if rota.get((p.id, d)) == REST) for p in people}
    return dict(people=people, days=days, rota=rota, choices=ROTA_CHOICES, rests=rests,
                warnings=shifts.warnings(year, month, people),
                month=f"{year:04d}-{month:02d}", year=year, number=month)


@bp.route("/rota")
def shift_rota():
    """The month's rota; a manager changes cells and saves them together."""
    year, month = month_arg(due_day=0)
    return render("reception/rota.html", form=ButtonForm(), editable=can("reception.shift_rota_save"),
                  **_grid(year, month))


@bp.route("/rota/save", methods=["POST"])
def shift_rota_save():
    """Save the cells that changed; a day gone by keeps its rota, and says so."""
    year, month = month_arg(due_day=0)
    if not ButtonForm().validate_on_submit():
        flash(_("表单已过期，请重试"), "error")
        return redirect(url_for("reception.shift_rota", month=f"{year:04d}-{month:02d}"))
    grid = _grid(year, month)
    people = {p.id: p for p in grid["people"]}
    changed, refused = 0, []
    for key, value in request.form.items():
        if not key.startswith("cell-"):
            continue
        try:
            _cell, user_id, day = key.split("-", 2)
            user, day = people[int(user_id)], datetime.date.fromisoformat(day)
        except (ValueError, KeyError):
            continue
        if day not in grid["days"] or grid["rota"].get((user.id, day), "") == value:
            continue
        try:
            shifts.set_shift(user, day, value, current_user)
            changed += 1
        except shifts.RotaError as error:
            refused.append(str(error))
    for message in dict.fromkeys(refused):
        flash(message, "error")
    flash(_("已保存排班：%(n)s 处改动", n=changed), "success")
    return redirect(url_for("reception.shift_rota", month=grid["month"]))


@bp.route("/rota/print")
def shift_rota_print():
    """The month's rota on one A4 landscape sheet."""
    year, month = month_arg(due_day=0)
    grid = _grid(year, month)
    return pdf_response("print/rota_month.html", f"排班表-{year:04d}{month:02d}.pdf",
                        title=_("客服排班表 %(month)s", month=grid["month"]), landscape=True,
                        **grid)
