"""Future: a result that will be available later (CPython asyncio/futures.py,
whose algorithms CPython's C accelerator _asyncio.Future keeps).

Every callback goes through the loop's call_soon, in registration order.
"""

import _loopscope
from asyncio import exceptions
from asyncio import events
from asyncio import format_helpers

__all__ = ('Future', 'wrap_future', 'isfuture')

_PENDING = 'PENDING'
_CANCELLED = 'CANCELLED'
_FINISHED = 'FINISHED'


def isfuture(obj):
    """CPython base_futures.isfuture: duck-typed on _asyncio_future_blocking."""
    return (hasattr(obj.__class__, '_asyncio_future_blocking') and
            obj._asyncio_future_blocking is not None)


# reprlib.repr, as base_futures uses it for results.
_short_repr = format_helpers.short_repr


def _format_callback(callback):
    """CPython base_futures._format_callbacks.format_cb."""
    return format_helpers._format_callback_source(callback, ())


def _format_callbacks(callbacks):
    """CPython base_futures._format_callbacks."""
    size = len(callbacks)
    if not size:
        return ''
    if size == 1:
        text = _format_callback(callbacks[0][0])
    elif size == 2:
        text = f'{_format_callback(callbacks[0][0])}, {_format_callback(callbacks[1][0])}'
    else:
        text = (f'{_format_callback(callbacks[0][0])}, <{size - 2} more>, '
                f'{_format_callback(callbacks[-1][0])}')
    return f'cb=[{text}]'


class Future:
    """A result, an exception or a cancellation, known later."""

    __module__ = '_asyncio'

    _state = _PENDING
    _result = None
    _exception = None
    _exception_tb = None
    _loop = None
    _cancel_message = None
    _cancelled_exc = None
    _asyncio_future_blocking = False
    _log_traceback = False
    _log_destroy_pending = True

    # __init__, done, cancelled, get_loop, result, exception,
    # _make_cancelled_error, cancel, add_done_callback, set_result and
    # set_exception are native (futures.rs, installed below), as CPython's
    # are C (_asyncio.Future).

    def _repr_info(self):
        """CPython base_futures._future_repr_info."""
        info = [self._state.lower()]
        if self._state == _FINISHED:
            if self._exception is not None:
                info.append(f'exception={self._exception!r}')
            else:
                info.append(f'result={_short_repr(self._result)}')
        if self._callbacks:
            info.append(_format_callbacks(self._callbacks))
        return info

    def __repr__(self):
        return f"<{self.__class__.__name__} {' '.join(self._repr_info())}>"

    def remove_done_callback(self, fn):
        kept = [(f, ctx) for (f, ctx) in self._callbacks if f != fn]
        removed = len(self._callbacks) - len(kept)
        if removed:
            self._callbacks[:] = kept
        return removed

    # Called for every future that goes: native, so that the common case
    # (nothing to report) costs no Python frame, as CPython's C finalizer.
    # It calls _finalize when there may be something to report.
    __del__ = _loopscope.future_del

    def _finalize(self):
        """CPython FutureObj_finalize: an exception nobody retrieved (by
        result(), exception() or awaiting) is reported to the loop's
        exception handler when the future is destroyed."""
        if not self._log_traceback:
            return
        self._log_traceback = False
        context = {
            'message': f'{self.__class__.__name__} exception was never retrieved',
            'exception': self._exception,
            'future': self,
        }
        self._loop.call_exception_handler(context)

    # __await__ and __iter__ are native too: an iterator (CPython's
    # _asyncio.FutureIter) that yields the future itself, which tells the
    # Task to wait for it, then returns its result.


_loopscope.install_future(Future, exceptions.CancelledError,
                          exceptions.InvalidStateError, events._get_event_loop)
_loopscope.install_future_iter(Future)


def _get_loop(fut):
    """CPython futures._get_loop."""
    try:
        get_loop = fut.get_loop
    except AttributeError:
        pass
    else:
        return get_loop()
    return fut._loop


def _set_result_unless_cancelled(fut, result):
    """Helper setting the result only if the future was not cancelled."""
    if fut.cancelled():
        return
    fut.set_result(result)


def wrap_future(future, *, loop=None):
    """Futures here are already asyncio futures."""
    if isfuture(future):
        return future
    raise TypeError(f'concurrent.futures.Future is expected, got {future!r}')
