"""The floor: a minimal Flask app that renders the app's own base layout with no database.

bench/run.py serves it exactly as it serves the app (bench/serve.py: gunicorn, the same workers
and threads) and reports every endpoint of the app as a ratio to this floor's p95: what the
framework, the templates and the server cost before the app does any work of its own.
"""
import os
import sys
from types import SimpleNamespace

from flask import Flask, render_template_string, request
from flask_babel import Babel, get_locale
from markupsafe import Markup

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PAGE = """{% extends "base.html" %}
{% block title %}Floor{% endblock %}
{% block content %}<h1>Floor</h1><p>{{ request.args.get('q', '') }}</p>{% endblock %}"""
# Endpoints base.html links to; here they all render the same page.
ENDPOINTS = ("core.index", "core.search", "core.notifications", "core.set_language",
             "auth.logout", "reception.index", "complaints.index", "repairs.index", "vip.index",
             "archives.index")


def create_floor():
    app = Flask(__name__, root_path=ROOT, template_folder="templates", static_folder="static")
    app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT, "translations")
    Babel(app)
    user = SimpleNamespace(is_authenticated=True, display_name="刘经理", role_label="经理")
    nav = [(endpoint, endpoint, False) for endpoint in ENDPOINTS[5:]]

    @app.context_processor
    def layout():
        return {"current_user": user, "site_settings": lambda: {"site_name": "客服台"},
                "csrf_token": lambda: "0" * 40, "unread_notifications": lambda: 0,
                "csrf_field": lambda: Markup('<input type="hidden" name="csrf_token" value="0">'),
                "nav_items": lambda: nav, "get_locale": get_locale}

    def page(**_kwargs):
        return render_template_string(PAGE, request=request)

    for index, endpoint in enumerate(ENDPOINTS):
        app.add_url_rule(f"/{index}/<code>" if endpoint == "core.set_language"
                         else ("/" if index == 0 else f"/{index}"), endpoint, page)
    return app
