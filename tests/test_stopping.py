"""Stopping the server (SIGTERM, as systemd and `kill` do) stops the PDF processes it started."""
import os
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = """
import sys
sys.path.insert(0, {root!r})

if __name__ == "__main__":  # (the PDF processes are spawned: they import this file again)
    import commands
    from app import create_app
    from models import db, schema
    from services import printing
    app = create_app({{"DATABASE_URL": "sqlite:///{folder}/stop.db", "SECRET_KEY": "stop"}})
    with app.app_context(), db.connection_context():
        schema.upgrade()
    printing.html_to_pdf("<p>打印</p>", app.static_folder)
    print("ready", flush=True)
    commands.serve_until_stopped(app.wsgi_app, "127.0.0.1", {port}, 2)
"""


def descendants(pid):
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            for child in map(int, handle.read().split()):
                found += [child] + descendants(child)
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_sigterm_stops_the_server_and_its_pdf_processes(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = tmp_path / "serve.py"
    script.write_text(SCRIPT.format(root=ROOT, folder=tmp_path, port=port))
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        helpers = descendants(server.pid)
        assert helpers, "the PDF process runs"
        deadline = time.monotonic() + 30
        while True:  # serving: waitress answers a connection
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in helpers if alive(pid)] == []
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stdout.close()
