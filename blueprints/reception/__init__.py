"""接待: the reception module (SPEC; its views arrive with its issue)."""
from flask import Blueprint

bp = Blueprint("reception", __name__)
