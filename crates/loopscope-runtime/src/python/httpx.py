"""Simulated httpx client (SEMANTICS.md §5): every host answers like httpbin, through _simnet."""
import asyncio
import time

import _simnet

DEFAULT_TIMEOUT = 5.0


class HTTPError(Exception):
    pass


class TimeoutException(HTTPError):
    pass


class ReadTimeout(TimeoutException):
    pass


class HTTPStatusError(HTTPError):
    pass


class Response:
    def __init__(self, method, url, status, body):
        self.method, self.url, self.status_code = method, url, status
        self.reason_phrase = _simnet.reason(status)
        self.text = body
        self.content = body.encode()

    @property
    def is_success(self):
        return 200 <= self.status_code < 300

    def json(self):
        return __import__("json").loads(self.text)

    def raise_for_status(self):
        if self.status_code >= 400:
            kind = "Client error" if self.status_code < 500 else "Server error"
            raise HTTPStatusError(f"{kind} '{self.status_code} {self.reason_phrase}' for url '{self.url}'")
        return self


def _plan(url, timeout):
    latency, status, body = _simnet.route(url)
    return latency, status, body, (timeout is not None and timeout < latency)


class AsyncClient:
    def __init__(self, timeout=DEFAULT_TIMEOUT, **kwargs):
        self._timeout = timeout

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    async def aclose(self):
        pass

    async def request(self, method, url, timeout="default", **kwargs):
        t = self._timeout if timeout == "default" else timeout
        latency, status, body, late = _plan(url, t)
        if late:
            await asyncio.sleep(t)
            raise ReadTimeout("timed out")
        await asyncio.sleep(latency)
        return Response(method.upper(), url, status, body)

    async def get(self, url, **kwargs):
        return await self.request("GET", url, **kwargs)

    async def post(self, url, **kwargs):
        return await self.request("POST", url, **kwargs)


def request(method, url, timeout=DEFAULT_TIMEOUT, **kwargs):
    latency, status, body, late = _plan(url, timeout)
    if late:
        time.sleep(timeout)
        raise ReadTimeout("timed out")
    time.sleep(latency)
    return Response(method.upper(), url, status, body)


def get(url, **kwargs):
    return request("GET", url, **kwargs)


def post(url, **kwargs):
    return request("POST", url, **kwargs)
