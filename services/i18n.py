"""Translations looked up once per request.

Flask-Babel finds the locale and the catalogue again for every string it translates; a list of
fifty rows, each with a dozen labels and state names, spent a third of its time there. Here the
request's catalogue is kept on `g`, template strings are cached per request, and lazy strings
(`_l`, used for labels defined at import time) resolve through the same catalogue.
"""
from babel import support
from flask import g, has_app_context
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from wtforms.i18n import messages_path

_wtforms_catalogues = {}


def translations():
    """The current request's (or app context's) catalogue, found once."""
    if not has_app_context():
        return get_translations()  # NullTranslations outside any app
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def gettext(string, **variables):
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string, **variables):
    """Translated when used (at render time, in the user's language), like Flask-Babel's."""
    return LazyString(gettext, string, **variables)


def template_gettext(string, **variables):
    """`_()` in templates: Jinja's newstyle gettext (escaped, %-formatted) with each string
    translated once per request, however many rows repeat it."""
    cache = g.get("_gettext_cache")
    if cache is None:
        cache = g._gettext_cache = {}
    if variables:
        found = cache.get((string,))
        if found is None:
            found = cache[(string,)] = Markup(translations().ugettext(string))
        return found % variables
    found = cache.get(string)
    if found is None:  # formatted without variables, as newstyle gettext does ("%%" → "%")
        found = cache[string] = Markup(translations().ugettext(string)) % {}
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
