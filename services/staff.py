"""The staff: who they are (names, roles, departments) as pages show them and forms offer
them to choose from."""
from flask import has_request_context
from flask_login import current_user
from peewee import SQL, fn

from models import User
from models.base import Kept, Prepared
from models.users import ADMIN, GM, MANAGER

_EVERYONE = Prepared(lambda: User.select(
    User.id, User.display_name, User.role, User.department, User.active).order_by(
    User.role, User.display_name))
# Every user as this process read them last, with the staff's revision; see directory().
_everyone = Kept(lambda: _EVERYONE.rows(User))


def forget():
    """Read the staff afresh next time (a new app, perhaps on another database)."""
    _everyone.forget()


def revision_query():
    """The staff's state as one number (each save raises a user's revision); a subquery the
    signed-in user's query carries, so a page learns it without a query of its own."""
    everyone = User.alias("everyone")
    return everyone.select(fn.COALESCE(fn.SUM(everyone.revision), SQL("0")))


def directory():
    """Every user (id, name, role, department, active), by role then name: read from the
    database only when the staff changed, which the signed-in user's query tells."""
    revision = getattr(current_user, "staff_revision", None) if has_request_context() \
        else None
    return _everyone.get(revision)


def names():
    """{id: display name} of every user, from the directory: what a list shows of the staff
    named in its rows, without joining the user table once for each of them."""
    return {user.id: user.display_name for user in directory()}


def people(ids):
    """{id: user} for these ids, from the directory."""
    return {user.id: user for user in directory() if user.id in ids}


def active_staff():
    """Active users, by role then name."""
    return [user for user in directory() if user.active]


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
