"""Form fields shared by every module's forms, and a faster html_params for WTForms."""
from markupsafe import Markup, escape
from wtforms import SelectField as WTFormsSelectField
from wtforms import widgets
from wtforms.widgets import core as widgets_core

WTFORMS_HTML_PARAMS = widgets_core.html_params


def html_params(**attributes):
    """WTForms' html_params, each attribute written by one f-string where WTForms formats a
    Markup template (a string.Formatter pass) per attribute: a page with a dozen form fields
    spent a fifth of its time there. The same output: sorted, `True` as a bare attribute,
    `False` left out, names and values escaped."""
    params = []
    for key, value in sorted(attributes.items()):
        if value is False:
            continue
        key = escape(widgets_core.clean_key(key))
        params.append(key if value is True else
                      f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


# Every widget finds html_params in one of these places (inputs and buttons as a class
# attribute, the text area and select in their module, labels in the package).
widgets_core.html_params = widgets.html_params = html_params
widgets_core.Input.html_params = widgets_core.Button.html_params = staticmethod(html_params)


class Select(widgets.Select):
    """WTForms' select, each plain option written by one f-string. The filter bar above every
    list renders a few dozen options, and WTForms' html_params (sorted keys, Markup.format) for
    each of them took a third of a list page's time. Same HTML; options with extra attributes
    still go through WTForms."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')

    @classmethod
    def _dispatch_render_option(cls):
        # WTForms inspects render_option's signature on every render, to adapt pre-3.3
        # overrides; ours has the current signature.
        return cls.render_option


class SelectField(WTFormsSelectField):
    widget = Select()
