"""登记表: the property office's registers and the desk's books, each from one declaration
(declarations.py) through one engine (engine.py)."""
from flask import Blueprint

from services import audit, timeline

bp = Blueprint("registers", __name__)

from blueprints.core.routes import register_panel, tiles_panel  # noqa: E402
from models import now  # noqa: E402

from . import declarations, phones, routes, surveys  # noqa: E402,F401
from .engine import REGISTERS  # noqa: E402

register_panel(lambda user: tiles_panel(user, surveys.home_tiles(user, now().date())))

for _register in REGISTERS.values():
    timeline.register_kind(_register.slug, _register.title, "registers.detail",
                           slug=_register.slug)
    audit.register_voidable(_register.slug, _register.model, _register.title)
