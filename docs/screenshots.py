"""Retake the README's screenshots: the demo data, served on loopback, photographed by Chromium.

    .venv/bin/python docs/screenshots.py            # every shot into docs/
    .venv/bin/python docs/screenshots.py --out /tmp/shots --only complaint

The demo is built in a temporary folder at a fixed moment (a Monday morning), so a retake shows
the same story as the last one.
"""
import argparse
import datetime
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# (file name, role, path, viewport, language)
SHOTS = [
    ("screenshot-home", "manager", "/", "tablet", "zh"),
    ("screenshot-customers", "manager", "/archives/", "tablet", "zh"),
    ("screenshot-customer", "sales", "/archives/1", "tablet", "zh"),
    ("screenshot-complaint", "manager", "/complaints/1", "tablet", "zh"),
    ("screenshot-visitors", "desk", "/reception/", "tablet", "zh"),
    ("screenshot-reports", "manager", "/reports", "tablet", "en"),
    ("screenshot-phone-complaints", "manager", "/complaints/", "phone", "zh"),
    ("screenshot-phone-stats", "manager", "/complaints/stats", "phone", "en"),
]
MOMENT = datetime.datetime(2026, 11, 23, 10, 0)


def build_demo(folder):
    """An app on a fresh SQLite file in `folder` with the demo data and one user per role."""
    from app import create_app
    from blueprints import demo
    from models import clock, db, schema
    clock.freeze(MOMENT)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/demo.db", "SECRET_KEY": "screenshots",
                      "UPLOAD_FOLDER": f"{folder}/uploads",
                      "BACKUP_FOLDER": f"{folder}/backups"})
    with app.app_context(), db.connection_context():
        schema.upgrade()
        demo.fill()
    return app


def with_fonts(folder):
    """The environment for Chromium with the print fonts (Noto Sans SC) added, so a machine
    without Chinese system fonts still draws the pages as a tablet does."""
    config = os.path.join(folder, "fonts.conf")
    with open(config, "w") as handle:
        handle.write('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                     '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                     f'<dir>{HERE.parent / "static" / "fonts"}</dir></fontconfig>')
    return dict(os.environ, FONTCONFIG_FILE=config)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(HERE))
    parser.add_argument("--only", help="take only the shots whose name contains this")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from blueprints.demo import DEMO_PASSWORD
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, TABLET, LiveServer

    with tempfile.TemporaryDirectory() as folder:
        app = build_demo(folder)
        os.makedirs(args.out, exist_ok=True)
        with LiveServer(app) as live, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                 env=with_fonts(folder))
            for name, role, path, size, language in SHOTS:
                if args.only and args.only not in name:
                    continue
                context = browser.new_context(viewport=TABLET if size == "tablet" else PHONE,
                                              locale="zh-CN", has_touch=True)
                page = context.new_page()
                page.goto(live.url + "/auth/login")
                page.fill("#username", role)
                page.fill("#password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(lambda url: "/auth/login" not in url)
                if language == "en":
                    page.goto(live.url + "/lang/en")
                page.goto(live.url + path)
                target = os.path.join(args.out, f"{name}.png")
                page.screenshot(path=target, full_page=size == "phone")
                print(target)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
