"""Home, the header search, language, the audit and access logs, and restoring voided records."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from . import routes  # noqa: E402,F401
