"""客户档案: the customer hub every module links to."""
from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from blueprints.helpers import site_settings
from models import Customer, Document, EmergencyContact, now
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("archives", __name__)

timeline.register_kind("archive", _l("建立档案"), "archives.detail")
audit.register_voidable("customer", Customer, _l("客户档案"))
audit.register_voidable("contact", EmergencyContact, _l("紧急联络人"))
audit.register_voidable("document", Document, _l("档案文件"))

from . import depth, duties, imports, routes, service  # noqa: E402,F401

search.register(service.search_customers, "customer", _l("客户档案"))


register_panel(lambda user: tiles_panel(user, service.home_tiles(user, site_settings(),
                                                                now().date())))
