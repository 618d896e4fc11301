"""How asyncio names callbacks and values in reprs and in the exception
handler's messages (CPython asyncio/format_helpers.py, with reprlib.repr's
shortening, which base_futures and format_helpers use)."""

import functools
import _loopscope

# reprlib.Repr's defaults (CPython Lib/reprlib.py).
_MAXLEVEL = 6
_MAXITEMS = {'tuple': 6, 'list': 6, 'set': 6, 'frozenset': 6, 'deque': 6, 'dict': 4}
_MAXSTRING = 30
_MAXLONG = 40
_MAXOTHER = 30
_FILL = '...'


def _shorten(text, limit):
    """Keep both ends of text, joined by '...', within limit characters."""
    if len(text) <= limit:
        return text
    head = max(0, (limit - 3) // 2)
    tail = max(0, limit - 3 - head)
    return text[:head] + _FILL + text[len(text) - tail:]


def _possibly_sorted(items):
    try:
        return sorted(items)
    except Exception:
        return list(items)


def _repr_iterable(value, level, left, right, maxiter, trail=''):
    n = len(value)
    if level <= 0 and n:
        inner = _FILL
    else:
        pieces = []
        for index, item in enumerate(value):
            if index >= maxiter:
                break
            pieces.append(_repr1(item, level - 1))
        if n > maxiter:
            pieces.append(_FILL)
        inner = ', '.join(pieces)
        if n == 1 and trail:
            right = trail + right
    return f'{left}{inner}{right}'


def _repr1(value, level):
    """reprlib.Repr.repr1: dispatch on the exact type's name."""
    typename = type(value).__name__
    if typename == 'str':
        text = repr(value[:_MAXSTRING])
        if len(text) > _MAXSTRING:
            head = max(0, (_MAXSTRING - 3) // 2)
            tail = max(0, _MAXSTRING - 3 - head)
            text = repr(value[:head] + value[len(value) - tail:])
            text = text[:head] + _FILL + text[len(text) - tail:]
        return text
    if typename == 'int':
        return _shorten(repr(value), _MAXLONG)
    if typename == 'tuple':
        return _repr_iterable(value, level, '(', ')', _MAXITEMS['tuple'], ',')
    if typename == 'list':
        return _repr_iterable(value, level, '[', ']', _MAXITEMS['list'])
    if typename == 'set':
        if not value:
            return 'set()'
        return _repr_iterable(_possibly_sorted(value), level, '{', '}', _MAXITEMS['set'])
    if typename == 'frozenset':
        if not value:
            return 'frozenset()'
        return _repr_iterable(_possibly_sorted(value), level, 'frozenset({', '})',
                              _MAXITEMS['frozenset'])
    if typename == 'deque':
        return _repr_iterable(value, level, 'deque([', '])', _MAXITEMS['deque'])
    if typename == 'dict':
        if not value:
            return '{}'
        if level <= 0:
            return '{' + _FILL + '}'
        pieces = []
        for index, key in enumerate(_possibly_sorted(value)):
            if index >= _MAXITEMS['dict']:
                break
            pieces.append(f'{_repr1(key, level - 1)}: {_repr1(value[key], level - 1)}')
        if len(value) > _MAXITEMS['dict']:
            pieces.append(_FILL)
        return '{' + ', '.join(pieces) + '}'
    try:
        text = repr(value)
    except Exception:
        return '<%s instance at %#x>' % (value.__class__.__name__, id(value))
    return _shorten(text, _MAXOTHER)


def short_repr(value):
    """reprlib.repr(value)."""
    return _repr1(value, _MAXLEVEL)


def _format_args_and_kwargs(args, kwargs):
    """CPython format_helpers._format_args_and_kwargs."""
    items = []
    if args:
        items.extend(short_repr(arg) for arg in args)
    if kwargs:
        items.extend(f'{k}={short_repr(v)}' for k, v in kwargs.items())
    return '({})'.format(', '.join(items))


def _format_callback(func, args, kwargs, suffix=''):
    """CPython format_helpers._format_callback: a partial shows the wrapped
    function, then its own arguments, then the call's."""
    if isinstance(func, functools.partial):
        suffix = _format_args_and_kwargs(args, kwargs) + suffix
        return _format_callback(func.func, func.args, func.keywords, suffix)
    qualname = getattr(func, '__qualname__', None)
    name = getattr(func, '__name__', None)
    if qualname:
        func_repr = qualname
    elif name:
        func_repr = name
    else:
        func_repr = repr(func)
    func_repr += _format_args_and_kwargs(args, kwargs)
    if suffix:
        func_repr += suffix
    return func_repr


def _function_source(func):
    """CPython format_helpers._get_function_source: inspect.unwrap follows
    __wrapped__, partials are looked through, bound methods have none."""
    seen = 0
    while hasattr(func, '__wrapped__') and seen < 100:
        func = func.__wrapped__
        seen += 1
    if isinstance(func, functools.partial):
        return _function_source(func.func)
    return _loopscope.function_source(func)


def _format_callback_source(func, args):
    """CPython format_helpers._format_callback_source: the call, then where
    the (unwrapped) function was defined."""
    func_repr = _format_callback(func, args, None)
    location = _function_source(func)
    if location is not None:
        func_repr += f' at {location[0]}:{location[1]}'
    return func_repr
