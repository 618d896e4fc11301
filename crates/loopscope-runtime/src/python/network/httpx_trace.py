

# ---- Loopscope: appended to the reference module, which stays as it is.
# The trace names each request's method (`_simnet.route` sees only the URL):
# the request tells it just before it is routed.
import _loopscope as _loopscope_trace


def _loopscope_named(send):
    async def request(self, method, url, **kwargs):
        _loopscope_trace.network_method(method)
        return await send(self, method, url, **kwargs)
    return request


def _loopscope_named_blocking(send):
    def request(method, url, **kwargs):
        _loopscope_trace.network_method(method)
        return send(method, url, **kwargs)
    return request


AsyncClient.request = _loopscope_named(AsyncClient.request)
request = _loopscope_named_blocking(request)
