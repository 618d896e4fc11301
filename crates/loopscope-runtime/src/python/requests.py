"""Simulated requests (SEMANTICS.md §5): every host answers like httpbin, through _simnet: every call blocks."""
import time

import _simnet


class RequestException(Exception):
    pass


class HTTPError(RequestException):
    pass


class ReadTimeout(RequestException):
    pass


class Response:
    def __init__(self, url, status, body):
        self.url, self.status_code, self.text = url, status, body
        self.reason = _simnet.reason(status)
        self.ok = status < 400

    def json(self):
        return __import__("json").loads(self.text)

    def raise_for_status(self):
        if self.status_code >= 400:
            kind = "Client Error" if self.status_code < 500 else "Server Error"
            raise HTTPError(f"{self.status_code} {kind}: {self.reason} for url: {self.url}")


def request(method, url, timeout=None, **kwargs):
    latency, status, body = _simnet.route(url)
    if timeout is not None and timeout < latency:
        time.sleep(timeout)
        raise ReadTimeout(f"Read timed out. (read timeout={timeout})")
    time.sleep(latency)
    return Response(url, status, body)


def get(url, **kwargs):
    return request("GET", url, **kwargs)


def post(url, **kwargs):
    return request("POST", url, **kwargs)
