"""Simulated aiohttp client (SEMANTICS.md §5): every host answers like httpbin, through _simnet."""
import asyncio

import _simnet


class ClientError(Exception):
    pass


class ClientResponseError(ClientError):
    def __init__(self, status, message, url):
        self.status, self.message, self.url = status, message, url
        super().__init__(f"{status}, message={message!r}, url={url!r}")


class ClientTimeout:
    def __init__(self, total=None, connect=None, sock_read=None, sock_connect=None):
        self.total = total


class ClientResponse:
    def __init__(self, method, url, status, body):
        self.method, self.url, self.status = method, url, status
        self.reason = _simnet.reason(status)
        self._body = body

    @property
    def ok(self):
        return self.status < 400

    async def text(self):
        return self._body

    async def read(self):
        return self._body.encode()

    async def json(self):
        return __import__("json").loads(self._body)

    def raise_for_status(self):
        if self.status >= 400:
            raise ClientResponseError(self.status, self.reason, self.url)

    def release(self):
        pass


class _RequestContextManager:
    def __init__(self, coro):
        self._coro = coro
        self._resp = None

    def __await__(self):
        return self._coro.__await__()

    async def __aenter__(self):
        self._resp = await self._coro
        return self._resp

    async def __aexit__(self, *exc):
        self._resp.release()


def _total(timeout):
    if isinstance(timeout, ClientTimeout):
        return timeout.total
    return timeout


class ClientSession:
    def __init__(self, timeout=None, headers=None, **kwargs):
        self._timeout = _total(timeout) if timeout is not None else 300.0
        self.closed = False

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self):
        self.closed = True

    async def _request(self, method, url, timeout=None, **kwargs):
        if self.closed:
            raise RuntimeError("Session is closed")
        total = _total(timeout) if timeout is not None else self._timeout
        latency, status, body = _simnet.route(url)
        if total is not None and total < latency:
            await asyncio.sleep(total)
            raise asyncio.TimeoutError()
        await asyncio.sleep(latency)
        return ClientResponse(method, url, status, body)

    def request(self, method, url, **kwargs):
        return _RequestContextManager(self._request(method.upper(), url, **kwargs))

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url, **kwargs):
        return self.request("PUT", url, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)
