"""The active staff, as forms offer them to choose from."""
from flask import g

from models import User
from models.base import Prepared
from models.users import ADMIN, GM, MANAGER

_ACTIVE_STAFF = Prepared(lambda active: User.select(User.id, User.display_name, User.role)
                         .where(User.active == active).order_by(User.role, User.display_name))


def active_staff():
    """Active users, by role then name (read once per request)."""
    staff = g.get("active_staff")
    if staff is None:
        staff = g.active_staff = _ACTIVE_STAFF.rows(User, True)
    return staff


def staff_choices(blank=None, roles=None):
    """Active staff for a select, optionally only some roles; admins only when asked for."""
    choices = [(str(u.id), f"{u.display_name}（{u.role_label}）") for u in active_staff()
               if (u.role in roles if roles else u.role != ADMIN)]
    return ([("", blank)] if blank is not None else []) + choices


def managers():
    """Every active manager."""
    return list(User.select().where(User.active & (User.role == MANAGER)))


def managers_of(department):
    """The managers to tell about a department's matter: its managers, else all managers."""
    in_dept = list(User.select().where(User.active & (User.role == MANAGER) &
                                       (User.department == department))) if department else []
    return in_dept or managers()


def general_managers():
    return list(User.select().where(User.active & (User.role == GM)))
