"""Translations through Flask-Babel, and the `_` templates use.

Templates translate with `_()`, installed through Jinja's gettext extension. A template string
whose source is a format (it holds `%%` or is given variables) is %-formatted, as newstyle
gettext does; any other is shown as translated, so an English "10% off" for "9折" is text, not a
format. Lazy strings (`_l`, for labels defined at import time) are Flask-Babel's.
"""
from flask_babel import gettext, lazy_gettext, ngettext
from markupsafe import Markup

__all__ = ["gettext", "lazy_gettext", "ngettext", "template_gettext", "install"]


def template_gettext(string, **variables):
    """`_()` in templates: the translation, escaped as Markup, %-formatted when it is a format."""
    found = Markup(gettext(string))
    if variables:
        return found % variables
    return found % {} if "%%" in string else found


def install(app):
    """Templates translate through template_gettext and Flask-Babel's ngettext."""
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals["_"] = template_gettext
