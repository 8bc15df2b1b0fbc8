"""Serve the app (on a benchmark database) or the floor, the way `flask serve` does: waitress,
one process, THREADS threads, on 127.0.0.1.

    python bench/serve.py app bench/data/large.db 5101
    python bench/serve.py floor - 5100
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

THREADS = 8  # the same as `flask serve` (commands.py)


def main():
    kind, database, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "floor":
        from bench.floor import create_floor
        application = create_floor()
    else:
        from app import create_app
        application = create_app({"DATABASE_URL": f"sqlite:///{database}",
                                  "SECRET_KEY": "bench-secret", "PDF_WAIT_SECONDS": 60,
                                  "JOB_FOLDER": os.path.join(os.path.dirname(database), "jobs")})
        from models import db, schema
        with application.app_context(), db.connection_context():
            schema.upgrade()  # as `make run` does before serving
    from waitress import serve
    serve(application, host="127.0.0.1", port=port, threads=THREADS, _quiet=True)


if __name__ == "__main__":
    main()
