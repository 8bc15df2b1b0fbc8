"""Shift handovers (交接记录): written by the outgoing shift, acknowledged by the incoming one."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm
from blueprints.helpers import render, show_form
from models import Handover
from services import audit

from . import bp, service
from .forms import HandoverForm


@bp.route("/handovers")
def handovers():
    """Handovers waiting to be acknowledged, then the latest ones."""
    waiting = service.unacknowledged_handovers(current_user.id)
    recent = list(Handover.select().order_by(Handover.at.desc()).limit(50))
    return render("reception/handovers.html", waiting=waiting, recent=recent)


@bp.route("/handovers/new", methods=["GET", "POST"])
def handover_new():
    """Write the handover for the next shift."""
    form = HandoverForm()
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
        else:
            service.acknowledge(handover, current_user)
            flash(_("已确认接班"), "success")
    return redirect(url_for("reception.handovers"))
