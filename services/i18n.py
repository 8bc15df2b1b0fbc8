"""Translations looked up once per request.

Flask-Babel finds the locale and the catalogue again for every string it translates; a list of
fifty rows, each with a dozen labels and state names, spent a third of its time there. Here the
request's catalogue is found once and kept in a context variable for the rest of the request
(reading one costs a tenth of reaching `g` through its proxy), template strings are cached per
request, and lazy strings (`_l`, used for labels defined at import time) resolve through the same
catalogue. Outside requests (commands, PDF jobs) the catalogue is kept on `g`.
"""
from contextvars import ContextVar

from babel import support
from flask import g, has_app_context, has_request_context, request_started
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from wtforms.i18n import messages_path

_wtforms_catalogues = {}
# (catalogue, {template string: its translation as Markup}) of the request this thread serves;
# emptied when a request starts and when it ends, so no request sees another's language.
_current = ContextVar("frontdesk_catalogue", default=None)


def _found():
    """This request's (catalogue, template cache), found at its first translation."""
    found = _current.get()
    if found is None:
        if has_request_context():
            found = (get_translations(), {})
            _current.set(found)
        elif has_app_context():  # a command or a background job
            found = g.get("_catalogue")
            if found is None:
                found = g._catalogue = (get_translations(), {})
        else:
            found = (get_translations(), {})  # NullTranslations outside any app
    return found


def _forget(*_args, **_kwargs):
    _current.set(None)


def translations():
    """The current request's (or app context's) catalogue, found once."""
    return _found()[0]


def gettext(string, **variables):
    text = _found()[0].ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string, **variables):
    """Translated when used (at render time, in the user's language), like Flask-Babel's."""
    return LazyString(gettext, string, **variables)


def template_gettext(string, **variables):
    """`_()` in templates: Jinja's newstyle gettext (escaped, %-formatted) with each string
    translated once per request, however many rows repeat it."""
    catalogue, cache = _found()
    if variables:
        found = cache.get((string,))
        if found is None:
            found = cache[(string,)] = Markup(catalogue.ugettext(string))
        return found % variables
    found = cache.get(string)
    if found is None:
        found = Markup(catalogue.ugettext(string))
        # Formatted without variables as newstyle gettext does ("%%" -> "%"), but only a string
        # whose source is a format: a translation may write "10% off" for "9折".
        cache[string] = found = found % {} if "%%" in string else found
    return found


def template_ngettext(singular, plural, n):
    return translations().ungettext(singular, plural, n)


def wtforms_translations():
    """WTForms' built-in messages for the current locale, read from disk once per process."""
    locale = str(get_locale())
    found = _wtforms_catalogues.get(locale)
    if found is None:
        found = _wtforms_catalogues[locale] = support.Translations.load(
            messages_path(), [locale], domain="wtforms")
    return found


def install(app):
    """Templates translate through the functions above."""
    app.jinja_env.install_gettext_callables(
        lambda string: translations().ugettext(string), template_ngettext, newstyle=True)
    app.jinja_env.globals["_"] = template_gettext
    request_started.connect(_forget, app)
    app.teardown_request(_forget)
