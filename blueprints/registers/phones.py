"""A telephone number's history across the pool, installations, changes, transfers and moves."""
from flask import abort
from flask_login import current_user

from blueprints.helpers import render
from models import Customer
from services import permissions

from . import bp, service
from .engine import REGISTERS_BY_MODEL


@bp.route("/phones/<number>")
def phone_history(number):
    """Every live entry that names this number, oldest first, each linking to its register."""
    number = number.strip()[:20]
    if not number.isdigit():
        abort(404)
    events = [(day, REGISTERS_BY_MODEL[type(entry)], entry)
              for day, entry in service.number_history(number)]
    events = [(day, register, entry) for day, register, entry in events
              if permissions.allowed(current_user.role, register.permission)]
    holder = service.holder_of(number)
    return render("registers/phone_history.html", number=number, events=events,
                  holder=Customer.get_or_none(Customer.id == holder) if holder else None)
