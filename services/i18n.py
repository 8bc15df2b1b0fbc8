"""Translations, with the request's catalogue found once.

Flask-Babel finds the locale and the catalogue again for every string; a list of fifty rows
translates a few hundred. `CachedDomain` is Flask-Babel's `Domain` whose documented
`get_translations()` keeps the catalogue in a context variable until the request ends, so
`gettext`, lazy strings (`_l`, labels defined at import time) and templates all find it once.
Outside requests (commands, PDF jobs) Flask-Babel's own lookup serves.
"""
from contextvars import ContextVar

from babel import support
from flask import has_request_context, request_started
from flask_babel import Domain, get_locale
from markupsafe import Markup
from wtforms.i18n import messages_path

# (catalogue, {template string: its translation as Markup}) of the request this thread serves;
# emptied when a request starts and when it ends, so no request sees another's language.
_current = ContextVar("frontdesk_catalogue", default=None)
_wtforms_catalogues = {}


class CachedDomain(Domain):
    def get_translations(self):
        found = _current.get()
        if found is not None:
            return found[0]
        catalogue = super().get_translations()
        if has_request_context():
            _current.set((catalogue, {}))
        return catalogue


DOMAIN = CachedDomain()
gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
lazy_gettext = DOMAIN.lazy_gettext  # translated when used, in the reader's language


def translations():
    """The current request's (or app context's) catalogue."""
    return DOMAIN.get_translations()


def _template_cache():
    found = _current.get()
    if found is None:
        translations()
        found = _current.get() or (translations(), {})
    return found


def template_gettext(string, **variables):
    """`_()` in templates: Jinja's newstyle gettext (escaped, %-formatted), each string
    translated once per request however many rows repeat it."""
    catalogue, cache = _template_cache()
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


def _forget(*_args, **_kwargs):
    _current.set(None)


def install(app):
    """Templates translate through the functions above."""
    app.jinja_env.install_gettext_callables(
        lambda string: translations().ugettext(string), template_ngettext, newstyle=True)
    app.jinja_env.globals["_"] = template_gettext
    request_started.connect(_forget, app)
    app.teardown_request(_forget)
