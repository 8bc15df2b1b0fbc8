"""会员: the vip module (SPEC; its views arrive with its issue)."""
from flask import Blueprint

bp = Blueprint("vip", __name__)
