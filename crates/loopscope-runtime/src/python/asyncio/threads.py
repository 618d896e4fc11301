"""asyncio.to_thread: the call runs in a simulated worker thread of the
default executor (SEMANTICS.md §3)."""

from asyncio import events

__all__ = ('to_thread',)


async def to_thread(func, /, *args, **kwargs):
    loop = events.get_running_loop()
    return await loop._submit_job(None, func, args, kwargs)
