"""Translation in templates and in WTForms' own messages (models.i18n has the catalogue)."""
from contextvars import ContextVar

from babel import support
from flask import has_request_context, request_started
from flask_babel import get_locale
from markupsafe import Markup
from wtforms.i18n import messages_path

from models import i18n

# {template string: its translation as Markup} for the request this thread serves.
_translated = ContextVar("frontdesk_template_strings", default=None)
_wtforms_catalogues = {}


def template_gettext(string, **variables):
    """`_()` in templates: Jinja's newstyle gettext (escaped, %-formatted), each string
    translated once per request however many rows repeat it."""
    cache = _translated.get()
    if cache is None:
        cache = {}
        if has_request_context():  # (a PDF job's thread may serve another language next)
            _translated.set(cache)
    if variables:
        found = cache.get((string,))
        if found is None:
            found = cache[(string,)] = Markup(i18n.gettext(string))
        return found % variables
    found = cache.get(string)
    if found is None:
        found = Markup(i18n.gettext(string))
        # Formatted without variables as newstyle gettext does ("%%" -> "%"), but only a string
        # whose source is a format: a translation may write "10% off" for "9折".
        cache[string] = found = found % {} if "%%" in string else found
    return found


def template_ngettext(singular, plural, n):
    return i18n.translations().ungettext(singular, plural, n)


def wtforms_catalogue():
    """WTForms' built-in messages for the current locale, read from disk once per process."""
    locale = str(get_locale())
    found = _wtforms_catalogues.get(locale)
    if found is None:
        found = _wtforms_catalogues[locale] = support.Translations.load(
            messages_path(), [locale], domain="wtforms")
    return found


def _forget(*args, **kwargs):
    i18n.forget()
    _translated.set(None)


def install(app):
    """Templates translate through the functions above."""
    app.jinja_env.install_gettext_callables(
        lambda string: i18n.translations().ugettext(string), template_ngettext, newstyle=True)
    app.jinja_env.globals["_"] = template_gettext
    request_started.connect(_forget, app)
    app.teardown_request(_forget)
