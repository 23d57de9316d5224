"""A one-line WSGI application, for starting a real gunicorn in tests/test_security_settings.py."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
