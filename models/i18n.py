"""Translations, with the request's catalogue found once.

Flask-Babel finds the locale and the catalogue again for every string; a list of fifty rows
translates a few hundred. `CachedDomain` is Flask-Babel's `Domain` whose documented
`get_translations()` keeps the catalogue in a context variable until the request ends
(services.i18n.install empties it), so `gettext`, lazy strings (`_l`, labels defined at import
time) and templates all find it once. Outside requests Flask-Babel's own lookup serves.
"""
import json
from contextvars import ContextVar

from flask import has_request_context
from flask_babel import Domain

# The catalogue of the request this thread serves; emptied when a request starts and ends.
_catalogue = ContextVar("frontdesk_catalogue", default=None)


class CachedDomain(Domain):
    def get_translations(self):
        found = _catalogue.get()
        if found is not None:
            return found
        found = super().get_translations()
        if has_request_context():
            _catalogue.set(found)
        return found


DOMAIN = CachedDomain()
gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
lazy_gettext = DOMAIN.lazy_gettext  # translated when used, in the reader's language
translations = DOMAIN.get_translations


def forget(*_args, **_kwargs):
    """A request starts or ends: the next translation looks the catalogue up again."""
    _catalogue.set(None)


def N_(text):
    """Marks a message for the catalogue without translating it: the source text is stored with
    its parameters (stored_params) and translated when someone reads it (stored_text)."""
    return text


def stored_params(params):
    """The parameters of a stored message, as its params column keeps them (None: the text is
    not a catalogue message). A parameter may itself be a message: {"text": …, "params": {…}}."""
    return "" if params is None else json.dumps(params, ensure_ascii=False)


def stored_text(text, params):
    """A stored message in the reader's language. Stored with parameters, `text` is the
    catalogue's source (marked with N_) and is translated, then filled in; without, it is
    a person's own words (or a row from before messages were stored this way), shown as is."""
    if not params:
        return text
    try:
        values = json.loads(params)
    except ValueError:
        return text
    return _said(text, values) if isinstance(values, dict) else text


def _said(text, values):
    """`text` translated and filled in with `values` (parsed parameters)."""
    try:
        return gettext(text, **{key: _value(value) for key, value in values.items()})
    except (KeyError, ValueError, TypeError):  # a catalogue out of step with the stored values
        return text


def _value(value):
    """A stored parameter as text: a message ({"text", "params"}) translated, a list of them
    joined as the reader's language lists things."""
    if isinstance(value, dict):
        return _said(value.get("text", ""), value.get("params") or {})
    if isinstance(value, list):
        return gettext("；").join(_value(item) for item in value)
    return value
