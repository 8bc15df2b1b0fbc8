"""Form fields shared by every module's forms."""
from markupsafe import Markup, escape
from wtforms import SelectField as WTFormsSelectField
from wtforms import widgets


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
