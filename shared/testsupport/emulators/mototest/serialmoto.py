"""moto's own server application, serving one request at a time.

moto_server serves requests on threads, and its DynamoDB backend reads, checks
and writes an item in update_item with no lock: two concurrent conditional
writes can both succeed, which DynamoDB never allows. The tests are about the
project's condition expressions, not moto's thread scheduling, so this runs
moto's WSGI application behind one lock: every request is atomic, as each
DynamoDB item write is in AWS. Connections are still served on threads
(keep-alive works); only the application call is serialized.

Access-log lines are dropped but for server errors: a failing test then shows
moto's tracebacks and 5xx lines, not hundreds of "200 -" lines.

Usage: python -c "$(cat serialmoto.py)" HOST PORT
"""

import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class Serialized:
    """Runs the wrapped WSGI application for one request at a time, body included."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()


class ErrorsOnlyHandler(MotoRequestHandler):
    def log_request(self, code="-", size="-"):
        if str(code).isdigit() and int(code) >= 500:
            super().log_request(code, size)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, Serialized(app), threaded=True, request_handler=ErrorsOnlyHandler)


main()
