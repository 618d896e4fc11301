"""Telling coroutines apart (CPython asyncio/coroutines.py)."""

import _loopscope

__all__ = ('iscoroutinefunction', 'iscoroutine')


def iscoroutinefunction(func):
    """Is func a coroutine function (`async def`, or marked as one)?"""
    return (_loopscope.is_coroutine_function(func) or
            getattr(func, '_is_coroutine', None) is _is_coroutine)


# Marks functions that are coroutine functions without being `async def`
# (CPython: the marker object asyncio.coroutines._is_coroutine).
_is_coroutine = object()


def iscoroutine(obj):
    """Is obj a coroutine object? CPython accepts native coroutines and
    generators made by @types.coroutine (collections.abc.Coroutine)."""
    return _loopscope.is_coroutine(obj)
