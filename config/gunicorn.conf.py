"""gunicorn's settings for 医养通办 (`gunicorn -c config/gunicorn.conf.py config.wsgi`, docs/operations.md).

gunicorn has no option to leave out its ``Server: gunicorn`` header (ASVS 14.3.3: no
server banner), so this file drops that one line from the headers it writes, once,
before the workers fork. Checked by tests/test_security_headers.py against a real
gunicorn.
"""

from gunicorn.http import wsgi

# The proxy (nginx) on the same host talks to gunicorn on the loopback; -b and -w on
# the command line override these.
bind = "127.0.0.1:8000"
workers = 4
# Request lines on standard error, like every other log line (docs/operations.md, Logs).
accesslog = "-"

_default_headers = wsgi.Response.default_headers


def _headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]
