"""The `types` module: names for the built-in types (found as CPython's
Lib/types.py finds them, from the type of a sample object),
`SimpleNamespace`, `MappingProxyType`, and `coroutine`, the decorator of
generator-based coroutines (CPython sets CO_ITERABLE_COROUTINE on the
function's code; here the VM flags the function through `_types`)."""

import sys
import _types


def _f():
    pass


FunctionType = type(_f)
LambdaType = type(lambda: None)
CodeType = type(_f.__code__)


def _g():
    yield 1


GeneratorType = type(_g())


async def _c():
    pass


_c = _c()
CoroutineType = type(_c)
_c.close()


async def _ag():
    yield


_ag = _ag()
AsyncGeneratorType = type(_ag)


class _C:
    def _m(self):
        pass


MethodType = type(_C()._m)
BuiltinFunctionType = type(len)
BuiltinMethodType = type([].append)
ModuleType = type(sys)
NoneType = type(None)
EllipsisType = type(Ellipsis)
NotImplementedType = type(NotImplemented)
GenericAlias = type(list[int])

del sys, _f, _g, _C, _c, _ag


class SimpleNamespace:
    """A simple attribute-based namespace: SimpleNamespace(**kwargs)."""

    def __init__(self, /, *args, **kwargs):
        if args:
            raise TypeError("no positional arguments expected")
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __repr__(self):
        name = "namespace" if type(self) is SimpleNamespace else type(self).__name__
        key = id(self)
        if key in _repr_running:
            return name + "(...)"
        _repr_running.append(key)
        try:
            parts = []
            for attr, value in self.__dict__.items():
                if isinstance(attr, str) and attr:
                    parts.append(attr + "=" + repr(value))
            return name + "(" + ", ".join(parts) + ")"
        finally:
            _repr_running.remove(key)

    def __eq__(self, other):
        if isinstance(self, SimpleNamespace) and isinstance(other, SimpleNamespace):
            return self.__dict__ == other.__dict__
        return NotImplemented

    def __reduce__(self):
        return (type(self), (), self.__dict__)

    # CPython names the C type by its tp_name, types.SimpleNamespace.
    def _type_name(self):
        if type(self) is SimpleNamespace:
            return "types.SimpleNamespace"
        return type(self).__name__

    def __getattr__(self, name):
        raise AttributeError("'" + self._type_name() + "' object has no attribute '" + name + "'")

    def __delattr__(self, name):
        try:
            object.__delattr__(self, name)
        except AttributeError:
            raise AttributeError("'" + self._type_name() + "' object has no attribute '"
                                 + name + "'") from None

    def __hash__(self):
        raise TypeError("unhashable type: '" + self._type_name() + "'")


SimpleNamespace.__module__ = "types"
_repr_running = []


class mappingproxy:
    """A read-only view of a mapping."""

    def __new__(cls, mapping):
        if (not hasattr(mapping, "__getitem__") or not hasattr(mapping, "keys")
                or isinstance(mapping, (list, tuple))):
            raise TypeError("mappingproxy() argument must be a mapping, not "
                            + type(mapping).__name__)
        self = object.__new__(cls)
        object.__setattr__(self, "_mapping", mapping)
        return self

    def __setattr__(self, name, value):
        raise AttributeError("'mappingproxy' object has no attribute '" + name + "'")

    def __getitem__(self, key):
        return self._mapping[key]

    def __contains__(self, key):
        return key in self._mapping

    def __iter__(self):
        return iter(self._mapping)

    def __len__(self):
        return len(self._mapping)

    def __reversed__(self):
        return reversed(self._mapping)

    def __eq__(self, other):
        return self._mapping == other

    def __or__(self, other):
        return dict(self._mapping) | other

    def __ror__(self, other):
        return other | dict(self._mapping)

    def __repr__(self):
        return "mappingproxy(" + repr(self._mapping) + ")"

    def __str__(self):
        return str(self._mapping)

    def get(self, key, default=None):
        return self._mapping.get(key, default)

    def keys(self):
        return self._mapping.keys()

    def values(self):
        return self._mapping.values()

    def items(self):
        return self._mapping.items()

    def copy(self):
        return self._mapping.copy()


mappingproxy.__module__ = "builtins"
MappingProxyType = mappingproxy
del mappingproxy


class _GeneratorWrapper:
    """What `coroutine` returns for a function that is not a generator
    function but gives a generator: awaitable, delegating to it."""

    def __init__(self, gen):
        self._wrapped = gen
        self._isgen = gen.__class__ is GeneratorType
        self.__name__ = getattr(gen, "__name__", None)
        self.__qualname__ = getattr(gen, "__qualname__", None)

    def send(self, val):
        return self._wrapped.send(val)

    def throw(self, tp, *rest):
        return self._wrapped.throw(tp, *rest)

    def close(self):
        return self._wrapped.close()

    def __next__(self):
        return next(self._wrapped)

    def __iter__(self):
        if self._isgen:
            return self._wrapped
        return self

    __await__ = __iter__


def coroutine(func):
    """Convert regular generator function to a coroutine."""
    if not callable(func):
        raise TypeError("types.coroutine() expects a callable")
    kind = _types.code_kind(func)
    if kind == "coroutine" or _types.is_iterable_coroutine(func):
        return func
    if kind == "generator":
        return _types.mark_iterable_coroutine(func)

    import functools

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        coro = func(*args, **kwargs)
        if (coro.__class__ is CoroutineType
                or coro.__class__ is GeneratorType and _types.is_iterable_coroutine(coro)):
            return coro
        if coro.__class__ is GeneratorType or (
                hasattr(coro, "send") and hasattr(coro, "throw")
                and hasattr(coro, "__next__") and not hasattr(coro, "__await__")):
            return _GeneratorWrapper(coro)
        return coro

    return wrapped


def new_class(name, bases=(), kwds=None, exec_body=None):
    """Create a class object dynamically using the appropriate metaclass."""
    ns = {}
    if exec_body is not None:
        exec_body(ns)
    return type(name, tuple(bases), ns)


def resolve_bases(bases):
    """Resolve MRO entries dynamically as specified by PEP 560."""
    return tuple(bases)


__all__ = [
    "FunctionType", "LambdaType", "CodeType", "GeneratorType", "CoroutineType",
    "AsyncGeneratorType", "MethodType", "BuiltinFunctionType", "BuiltinMethodType",
    "ModuleType", "NoneType", "EllipsisType", "NotImplementedType", "GenericAlias",
    "SimpleNamespace", "MappingProxyType", "coroutine", "new_class", "resolve_bases",
]
