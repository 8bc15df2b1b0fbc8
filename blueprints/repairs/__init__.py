"""报修: the repairs module (SPEC; its views arrive with its issue)."""
from flask import Blueprint

bp = Blueprint("repairs", __name__)
