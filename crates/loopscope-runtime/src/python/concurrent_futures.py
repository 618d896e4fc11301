"""concurrent.futures for the simulated world: ThreadPoolExecutor sizes the
pool loop.run_in_executor(executor, ...) runs jobs in (SEMANTICS.md §3)."""

import _loopscope

__all__ = ('ThreadPoolExecutor', 'FIRST_COMPLETED', 'FIRST_EXCEPTION',
           'ALL_COMPLETED', 'CancelledError', 'TimeoutError')

FIRST_COMPLETED = 'FIRST_COMPLETED'
FIRST_EXCEPTION = 'FIRST_EXCEPTION'
ALL_COMPLETED = 'ALL_COMPLETED'

CancelledError = __import__('asyncio').CancelledError
TimeoutError = TimeoutError


class ThreadPoolExecutor:
    """A pool of simulated worker threads, usable with run_in_executor."""

    def __init__(self, max_workers=None, thread_name_prefix='', initializer=None, initargs=()):
        if max_workers is None:
            max_workers = 8
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self._max_workers = max_workers
        self._shutdown = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown(wait=True)
        return False

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._shutdown = True

    def submit(self, fn, /, *args, **kwargs):
        _loopscope.unsupported('ThreadPoolExecutor.submit(): threads run only under asyncio here; '
                               'use loop.run_in_executor(executor, fn, *args) or asyncio.to_thread()')

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        _loopscope.unsupported('ThreadPoolExecutor.map(): threads run only under asyncio here; '
                               'use loop.run_in_executor(executor, fn, *args) or asyncio.to_thread()')
