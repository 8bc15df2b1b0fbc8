"""Templates print values through blueprints.templating.escape: the same text as Jinja's own."""
import enum

import jinja2
import markupsafe
from markupsafe import Markup

from blueprints.templating import escape
from services.i18n import lazy_gettext


class Level(enum.IntEnum):
    HIGH = 3


class Html:
    def __html__(self):
        return "<b>safe</b>"


class Text(str):
    pass


VALUES = ["", "plain", '<script>alert("x")</script> & \'y\'', "张三 <李四>", Markup("<b>x</b>"),
          Markup(""), 0, 7, -12, 10 ** 30, True, False, None, 1.5, float("nan"), Level.HIGH,
          Html(), Text("<i>"), b"<bytes>", ["<a>", 1], {"k": "<v>"}]

TEMPLATE = """{% macro cell(v) %}<td>{{ v }}</td>{% endmacro -%}
{% for v in values %}[{{ v }}|{{ cell(v) }}|{{ v ~ '<' }}|{{ v|e }}
{%- autoescape false %}|{{ v }}{% endautoescape %}]
{% endfor %}{{ undefined_name }}"""


def test_escape_gives_what_markupsafe_gives():
    for value in VALUES:
        ours, theirs = escape(value), markupsafe.escape(value)
        assert ours == theirs and type(ours) is Markup, value


def test_templates_render_as_jinja_renders_them(app):
    with app.test_request_context():
        theirs = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
        for values in (VALUES, [lazy_gettext("姓名"), Markup("<br>") + "<", 3]):
            ours = app.jinja_env.from_string(TEMPLATE).render(values=values)
            assert ours == theirs.render(values=values)
            assert "&lt;script&gt;" in ours or "姓名" in ours


def test_templates_compile_to_the_faster_escape(app):
    source = app.jinja_env.compile("{{ name }}{% autoescape false %}{{ raw }}{% endautoescape %}",
                                   raw=True)
    assert "environment.escape_output(" in source  # {{ name }}
    assert "str((undefined(name='raw')" in source  # autoescape off: as Jinja writes it
    with app.app_context():  # the app's own templates too
        row, _name, _uptodate = app.jinja_env.loader.get_source(app.jinja_env,
                                                                "reception/_row.html")
    assert "environment.escape_output(" in app.jinja_env.compile(row, "reception/_row.html",
                                                                 raw=True)
