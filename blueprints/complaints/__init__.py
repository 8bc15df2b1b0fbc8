"""投诉: the complaints module (SPEC; its views arrive with its issue)."""
from flask import Blueprint

bp = Blueprint("complaints", __name__)
