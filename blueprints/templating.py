"""The app's Jinja environment: templates print their values through a faster escape.

With autoescaping on, Jinja passes every `{{ value }}` to markupsafe's escape, which builds a new
Markup even from a value that is Markup already (a translated label, a link made once for all
rows, a field a macro rendered): a fifty-row list calls it a thousand times, and four in five of
those values are Markup. `escape` returns those as they are and writes whole numbers without
the Markup constructor; any other value goes to markupsafe's escape as before. The same text
either way (tests/test_templating.py compares the two).

Templates are compiled to call it by Jinja's documented extension point for this, the
environment's code_generator_class; Flask builds its environment from `jinja_environment`.
"""
from flask.templating import Environment
from jinja2.compiler import CodeGenerator
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

_markup = str.__new__


def escape(value):
    """markupsafe.escape(value), without the calls it makes for Markup and whole numbers."""
    kind = type(value)
    if kind is Markup:
        return value  # already safe, and a Markup cannot change
    if kind is int:
        return _markup(Markup, int.__repr__(value))  # digits and a sign: nothing to escape
    return markupsafe_escape(value)


class _CodeGenerator(CodeGenerator):
    def _output_child_pre(self, node, frame, finalize):
        """`{{ value }}` in an autoescaped template: environment.escape_output(value) where Jinja
        writes markupsafe's escape(value). Templates that switch autoescaping on and off
        ({% autoescape %}) compile as Jinja writes them."""
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class TemplateEnvironment(Environment):
    code_generator_class = _CodeGenerator
    escape_output = staticmethod(escape)
