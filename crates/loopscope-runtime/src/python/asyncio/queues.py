"""Queues for tasks (CPython asyncio/queues.py): getters and putters wait
in FIFO deques of futures."""

import collections
import heapq
import _loopscope
from asyncio import locks

__all__ = ('Queue', 'PriorityQueue', 'LifoQueue', 'QueueFull', 'QueueEmpty')


class QueueEmpty(Exception):
    """Raised when Queue.get_nowait() is called on an empty Queue."""


class QueueFull(Exception):
    """Raised when Queue.put_nowait() is called on a full Queue."""


class Queue(locks._LoopBoundMixin):
    """A FIFO queue; maxsize <= 0 means unbounded."""

    def __init__(self, maxsize=0):
        self._maxsize = maxsize
        self._getters = collections.deque()
        self._putters = collections.deque()
        self._unfinished_tasks = 0
        self._finished = locks.Event()
        self._finished.set()
        self._init(maxsize)
        _loopscope.primitive_created(self, 'queue')

    def _init(self, maxsize):
        self._queue = collections.deque()

    # qsize, empty, full, put_nowait, get_nowait, task_done,
    # _wakeup_next(waiters) (which wakes the first waiter not yet done,
    # dropping those before it), _get (self._queue.popleft()) and
    # _put(item) (self._queue.append(item)) are native, after CPython's
    # queues.py (futures.rs, installed below).

    def __repr__(self):
        return f'<{type(self).__name__} at {id(self):#x} {self._format()}>'

    def __str__(self):
        return f'<{type(self).__name__} {self._format()}>'

    def _format(self):
        result = f'maxsize={self._maxsize!r}'
        if getattr(self, '_queue', None):
            result += f' _queue={list(self._queue)!r}'
        if self._getters:
            result += f' _getters[{len(self._getters)}]'
        if self._putters:
            result += f' _putters[{len(self._putters)}]'
        if self._unfinished_tasks:
            result += f' tasks={self._unfinished_tasks}'
        return result

    @property
    def maxsize(self):
        return self._maxsize

    async def put(self, item):
        while self.full():
            putter = self._waiter('queue_put')
            self._putters.append(putter)
            try:
                await putter
            except:
                putter.cancel()
                try:
                    self._putters.remove(putter)
                except ValueError:
                    pass
                if not self.full() and not putter.cancelled():
                    self._wakeup_next(self._putters)
                raise
        return self.put_nowait(item)

    async def get(self):
        while self.empty():
            getter = self._waiter('queue_get')
            self._getters.append(getter)
            try:
                await getter
            except:
                getter.cancel()
                try:
                    self._getters.remove(getter)
                except ValueError:
                    pass
                if not self.empty() and not getter.cancelled():
                    self._wakeup_next(self._getters)
                raise
        return self.get_nowait()

    async def join(self):
        if self._unfinished_tasks > 0:
            await self._finished.wait()


_loopscope.install_queue(Queue, QueueEmpty, QueueFull, locks.Event)


class PriorityQueue(Queue):
    """Smallest item first."""

    def _init(self, maxsize):
        self._queue = []

    def _put(self, item):
        heapq.heappush(self._queue, item)

    def _get(self):
        return heapq.heappop(self._queue)


class LifoQueue(Queue):
    """Last in, first out."""

    def _init(self, maxsize):
        self._queue = []

    def _put(self, item):
        self._queue.append(item)

    def _get(self):
        return self._queue.pop()
