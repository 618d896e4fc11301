"""The event loop (CPython asyncio/base_events.py and events.py), on the
simulated world's virtual clock.

`_run_once` is CPython 3.11's algorithm: cancelled timers at the head of the
heap are dropped, the selector "waits" (here: the clock jumps to the next
due timer or thread wake-up, and due thread jobs run), timers due by then
become ready, and exactly the callbacks ready at that point run, in FIFO
order. Timers due at the same instant keep the order they were set in.
"""

import collections
import sys
import _loopscope
from asyncio.format_helpers import _format_callback_source

__all__ = ('AbstractEventLoopPolicy', 'AbstractEventLoop', 'BaseEventLoop',
           'SelectorEventLoop', 'Handle', 'TimerHandle',
           'get_event_loop_policy', 'set_event_loop_policy',
           'get_event_loop', 'set_event_loop', 'new_event_loop',
           'get_running_loop', '_get_running_loop', '_set_running_loop',
           'DefaultEventLoopPolicy')

# Workers of the default executor: min(32, cpu_count + 4) with 4 CPUs.
_DEFAULT_WORKERS = 8


class Handle:
    """A callback scheduled on the loop."""

    # __init__(callback, args, loop, context=None), cancel, cancelled and
    # _run are native (eventloop.rs, installed below).

    def _repr_info(self):
        info = [self.__class__.__name__]
        if self._cancelled:
            info.append('cancelled')
        if self._callback is not None:
            info.append(_format_callback_source(self._callback, self._args))
        return info

    def __repr__(self):
        if self._repr is not None:
            return self._repr
        return '<{}>'.format(' '.join(self._repr_info()))

class TimerHandle(Handle):
    """A callback scheduled for a moment of the virtual clock."""

    # __init__(when, callback, args, loop, context=None), cancel, when and
    # the orderings __lt__, __le__, __gt__, __ge__ on (when, scheduling
    # order) are native (eventloop.rs, installed below).

    def _repr_info(self):
        info = super()._repr_info()
        pos = 2 if self._cancelled else 1
        info.insert(pos, f'when={self._when}')
        return info

    def __hash__(self):
        return hash(self._when)

    def __eq__(self, other):
        if isinstance(other, TimerHandle):
            return (self._when == other._when and
                    self._callback == other._callback and
                    self._args == other._args and
                    self._cancelled == other._cancelled)
        return NotImplemented

def _check_callback(callback, method):
    if _loopscope.is_coroutine(callback) or _loopscope.is_coroutine_function(callback):
        raise TypeError(f"coroutines cannot be used with {method}()")
    if not callable(callback):
        raise TypeError(
            f'a callable object was expected by {method}(), got {callback!r}')


def _run_until_complete_cb(fut):
    if not fut.cancelled():
        exc = fut.exception()
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            return
    fut.get_loop().stop()


def _deliver_job(fut, ok, value):
    """A thread job's outcome reaches its future (one call_soon callback)."""
    if fut.cancelled():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


class _UnixSelectorEventLoop:
    """The event loop of the simulated world."""

    def __init__(self):
        self._timer_cancelled_count = 0
        self._closed = False
        self._stopping = False
        self._ready = collections.deque()
        self._scheduled = []
        self._running = False
        self._exception_handler = None
        self._task_factory = None
        self._debug = False
        self._timer_seq = 0
        self._asyncgens_shutdown_called = False
        self._executor_shutdown_called = False
        self._id = _loopscope.loop_created(self)

    def __repr__(self):
        return (f'<{self.__class__.__name__} running={self.is_running()} '
                f'closed={self.is_closed()} debug={self.get_debug()}>')

    # ---------------------------------------------------------- state

    def _check_running(self):
        if self.is_running():
            raise RuntimeError('This event loop is already running')
        if _get_running_loop() is not None:
            raise RuntimeError(
                'Cannot run the event loop while another loop is running')

    def is_running(self):
        return self._running

    def is_closed(self):
        return self._closed

    def get_debug(self):
        return self._debug

    def set_debug(self, enabled):
        self._debug = bool(enabled)

    # ---------------------------------------------------------- running

    def run_forever(self):
        self._check_closed()
        self._check_running()
        self._running = True
        _set_running_loop(self)
        try:
            while True:
                self._run_once()
                if self._stopping:
                    break
        finally:
            self._stopping = False
            self._running = False
            _set_running_loop(None)

    def run_until_complete(self, future):
        from asyncio import futures, tasks
        self._check_closed()
        self._check_running()
        new_task = not futures.isfuture(future)
        future = tasks.ensure_future(future, loop=self)
        if new_task:
            future._log_destroy_pending = False
        future.add_done_callback(_run_until_complete_cb)
        try:
            self.run_forever()
        except:
            if new_task and future.done() and not future.cancelled():
                future.exception()
            raise
        finally:
            future.remove_done_callback(_run_until_complete_cb)
        if not future.done():
            raise RuntimeError('Event loop stopped before Future completed.')
        return future.result()

    def stop(self):
        self._stopping = True

    def close(self):
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self._closed:
            return
        self._closed = True
        self._ready.clear()
        self._scheduled.clear()
        self._executor_shutdown_called = True

    async def shutdown_asyncgens(self):
        self._asyncgens_shutdown_called = True

    async def shutdown_default_executor(self):
        # The simulated pools need no shutdown: CPython returns at once when
        # the default executor was never created, as under the oracle.
        self._executor_shutdown_called = True

    # _run_once (CPython BaseEventLoop._run_once), and below call_soon,
    # call_later, call_at, _timer_handle_cancelled, as well as time and
    # _check_closed, are native (eventloop.rs, installed below).

    def _select(self, immediate):
        """The selector's wait, in virtual time (the oracle's VSelector)."""
        _loopscope.jobs_run_due()
        if self._ready or immediate:
            return
        while True:
            t_timer = self._scheduled[0]._when if self._scheduled else None
            t_job = _loopscope.jobs_next_wake()
            if t_timer is None and t_job is None:
                _loopscope.idle_forever()
            if t_timer is None:
                t = t_job
            elif t_job is None:
                t = t_timer
            else:
                t = min(t_timer, t_job)
            _loopscope.advance_to(t)
            if t_job is not None and t_job <= _loopscope.time():
                _loopscope.jobs_run_due()
                if self._ready:
                    return
                continue
            return

    # ---------------------------------------------------------- callbacks

    def call_soon_threadsafe(self, callback, *args, context=None):
        return self.call_soon(callback, *args, context=context)

    # ---------------------------------------------------------- futures, tasks

    # create_future (a Future of this loop) and create_task are native
    # (eventloop.rs); create_task calls this when a task factory is set.

    def _create_task_by_factory(self, coro, name, context):
        from asyncio import tasks
        if context is None:
            task = self._task_factory(self, coro)
        else:
            task = self._task_factory(self, coro, context=context)
        tasks._set_task_name(task, name)
        return task

    def set_task_factory(self, factory):
        if factory is not None and not callable(factory):
            raise TypeError('task factory must be a callable or None')
        self._task_factory = factory

    def get_task_factory(self):
        return self._task_factory

    # ---------------------------------------------------------- threads

    def run_in_executor(self, executor, func, *args):
        # No callback check, even in debug mode: the oracle's
        # VirtualLoop.run_in_executor has none.
        self._check_closed()
        return self._submit_job(executor, func, args, {})

    def _submit_job(self, executor, func, args, kwargs):
        if executor is None:
            pool, workers = 0, _DEFAULT_WORKERS
        else:
            pool, workers = id(executor), getattr(executor, '_max_workers', _DEFAULT_WORKERS)
        fut = self.create_future()
        loop = self

        def deliver(ok, value):
            loop.call_soon(_deliver_job, fut, ok, value)

        job = _loopscope.submit_job(pool, workers, func, args, kwargs, deliver, fut)

        def drop_if_cancelled(f):
            if f.cancelled():
                _loopscope.drop_job(job)

        fut.add_done_callback(drop_if_cancelled)
        return fut

    def set_default_executor(self, executor):
        self._default_executor = executor

    # ---------------------------------------------------------- errors

    def get_exception_handler(self):
        return self._exception_handler

    def set_exception_handler(self, handler):
        if handler is not None and not callable(handler):
            raise TypeError(f'A callable object or None is expected, got {handler!r}')
        self._exception_handler = handler

    def default_exception_handler(self, context):
        """Logs the context to stderr as CPython's logger does."""
        message = context.get('message') or 'Unhandled exception in event loop'
        lines = [message]
        for key in sorted(context):
            if key in ('message', 'exception'):
                continue
            lines.append(f'{key}: {context[key]!r}')
        text = '\n'.join(lines)
        exception = context.get('exception')
        if exception is not None:
            text += '\n' + _loopscope.format_exception(exception).rstrip('\n')
        print(text, file=sys.stderr)

    def call_exception_handler(self, context):
        if self._exception_handler is None:
            try:
                self.default_exception_handler(context)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException:
                pass
        else:
            try:
                self._exception_handler(self, context)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                try:
                    self.default_exception_handler({
                        'message': 'Unhandled error in exception handler',
                        'exception': exc,
                        'context': context,
                    })
                except (SystemExit, KeyboardInterrupt):
                    raise
                except BaseException:
                    pass


_loopscope.install_loop(_UnixSelectorEventLoop, Handle, TimerHandle,
                        _check_callback, _format_callback_source)

BaseEventLoop = _UnixSelectorEventLoop
SelectorEventLoop = _UnixSelectorEventLoop
AbstractEventLoop = _UnixSelectorEventLoop


# ---------------------------------------------------------------- the loop in use

# CPython keeps the running loop per OS thread (in C, _asyncio): code of a
# thread job (to_thread, run_in_executor) runs in a worker thread and sees
# none. Native here too (eventloop.rs).
_get_running_loop = _loopscope.get_running_loop_or_none
_set_running_loop = _loopscope.set_running_loop
get_running_loop = _loopscope.get_running_loop


class AbstractEventLoopPolicy:
    """Abstract policy for accessing the event loop."""

    def get_event_loop(self):
        raise NotImplementedError

    def set_event_loop(self, loop):
        raise NotImplementedError

    def new_event_loop(self):
        raise NotImplementedError


class DefaultEventLoopPolicy(AbstractEventLoopPolicy):
    """CPython BaseDefaultEventLoopPolicy: one loop for the main thread,
    made on first request unless set_event_loop was ever called."""

    def __init__(self):
        self._loop = None
        self._set_called = False

    def get_event_loop(self):
        if self._loop is None and not self._set_called:
            self.set_event_loop(self.new_event_loop())
        if self._loop is None:
            raise RuntimeError("There is no current event loop in thread 'MainThread'.")
        return self._loop

    def set_event_loop(self, loop):
        self._set_called = True
        if loop is not None and not isinstance(loop, AbstractEventLoop):
            raise TypeError(f"loop must be an instance of AbstractEventLoop or None, not '{type(loop).__name__}'")
        self._loop = loop

    def new_event_loop(self):
        return _UnixSelectorEventLoop()


_event_loop_policy = None


def get_event_loop_policy():
    global _event_loop_policy
    if _event_loop_policy is None:
        _event_loop_policy = DefaultEventLoopPolicy()
    return _event_loop_policy


def set_event_loop_policy(policy):
    global _event_loop_policy
    if policy is not None and not isinstance(policy, AbstractEventLoopPolicy):
        raise TypeError(f"policy must be an instance of AbstractEventLoopPolicy or None, not '{type(policy).__name__}'")
    _event_loop_policy = policy


def get_event_loop():
    loop = _get_running_loop()
    if loop is not None:
        return loop
    return get_event_loop_policy().get_event_loop()


_get_event_loop = get_event_loop


def set_event_loop(loop):
    get_event_loop_policy().set_event_loop(loop)


def new_event_loop():
    return get_event_loop_policy().new_event_loop()
