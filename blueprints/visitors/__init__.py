"""访客自助登记: the page a visitor opens from the QR code at the desk, on their own phone. No
sign-in, no script, nothing looked up: what they type waits at the desk until a clerk has seen
their ID (blueprints/reception/selfreg.py)."""
from flask import Blueprint

bp = Blueprint("visitors", __name__)

from . import routes  # noqa: E402,F401
