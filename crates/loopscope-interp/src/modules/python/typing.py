"""The `typing` module, after CPython 3.11's Lib/typing.py: the special
forms (`Any`, `Union`, `Optional`, `Literal`, `Final`, `ClassVar`), the
generic aliases of the built-in and abstract collections (`List[int]`
prints as `typing.List[int]`), `Callable`, `Tuple`, `TypeVar`, `Generic`,
`Protocol`, `NamedTuple` and `TypedDict` in class syntax, and the
runtime helpers (`cast`, `overload`, `get_type_hints`, ...).

Without metaclasses, `NamedTuple` and `TypedDict` bases are swapped in
through `__mro_entries__`, and their classes are completed by
`__init_subclass__`: a NamedTuple class is a tuple subclass with the
fields of `collections.namedtuple`; calling a TypedDict class gives a
plain dict, as in CPython."""

TYPE_CHECKING = False

_NoneType = type(None)


def _type_repr(obj):
    """`repr` of a type argument, as typing prints it."""
    if isinstance(obj, type):
        if obj.__module__ == "builtins":
            return obj.__qualname__
        return obj.__module__ + "." + obj.__qualname__
    if obj is ...:
        return "..."
    if type(obj).__name__ == "function":
        return obj.__name__
    return repr(obj)


def _type_check(arg, msg=None):
    if arg is None:
        return _NoneType
    if isinstance(arg, str):
        return ForwardRef(arg)
    return arg


class ForwardRef:
    """A type written as a string (`List['Node']`)."""

    def __init__(self, arg):
        if not isinstance(arg, str):
            raise TypeError("Forward reference must be a string -- got " + repr(arg))
        self.__forward_arg__ = arg

    def __eq__(self, other):
        if not isinstance(other, ForwardRef):
            return NotImplemented
        return self.__forward_arg__ == other.__forward_arg__

    def __hash__(self):
        return hash(self.__forward_arg__)

    def __repr__(self):
        return "ForwardRef(" + repr(self.__forward_arg__) + ")"


class _Final:
    """Base of the typing objects that cannot be subclassed."""


class _SpecialForm(_Final):
    """`Any`, `Union`, `Optional`, `ClassVar`, ...: prints as typing.Name."""

    def __init__(self, name, getitem=None, doc=""):
        self._name = name
        self._getitem = getitem
        self.__doc__ = doc

    def __repr__(self):
        return "typing." + self._name

    def __call__(self, *args, **kwargs):
        raise TypeError("Cannot instantiate " + repr(self))

    def __getitem__(self, parameters):
        if self._getitem is None:
            if self._name == "Any":
                # Any is a class in 3.11.
                raise TypeError("type 'Any' is not subscriptable")
            raise TypeError(repr(self) + " is not subscriptable")
        return self._getitem(self, parameters)

    def __or__(self, other):
        return Union[self, other]

    def __ror__(self, other):
        return Union[other, self]

    def __reduce__(self):
        return self._name


Any = _SpecialForm("Any", None, "Special type indicating an unconstrained type.")
NoReturn = _SpecialForm("NoReturn")
Never = _SpecialForm("Never")
Self = _SpecialForm("Self")
LiteralString = _SpecialForm("LiteralString")
TypeAlias = _SpecialForm("TypeAlias")


def _flatten_union(parameters):
    params = []
    for p in parameters:
        if isinstance(p, _UnionGenericAlias):
            params.extend(p.__args__)
        else:
            params.append(p)
    unique = []
    for p in params:
        if p not in unique:
            unique.append(p)
    return tuple(unique)


def _union_getitem(self, parameters):
    if parameters == ():
        raise TypeError("Cannot take a Union of no types.")
    if not isinstance(parameters, tuple):
        parameters = (parameters,)
    parameters = tuple(_type_check(p) for p in parameters)
    parameters = _flatten_union(parameters)
    if len(parameters) == 1:
        return parameters[0]
    return _UnionGenericAlias(self, parameters)


def _optional_getitem(self, parameters):
    if isinstance(parameters, tuple):
        raise TypeError(repr(self) + " requires a single type. Got " + repr(parameters) + ".")
    arg = _type_check(parameters)
    return Union[arg, type(None)]


def _wrap_one(self, parameters):
    if isinstance(parameters, tuple):
        raise TypeError(repr(self) + " accepts only single type. Got " + repr(parameters) + ".")
    item = _type_check(parameters)
    return _GenericAlias(self, (item,), name=self._name)


def _literal_getitem(self, parameters):
    if not isinstance(parameters, tuple):
        parameters = (parameters,)
    return _LiteralGenericAlias(self, parameters, name="Literal")


Union = _SpecialForm("Union", _union_getitem)
Optional = _SpecialForm("Optional", _optional_getitem)
ClassVar = _SpecialForm("ClassVar", _wrap_one)
Final = _SpecialForm("Final", _wrap_one)
Required = _SpecialForm("Required", _wrap_one)
NotRequired = _SpecialForm("NotRequired", _wrap_one)
TypeGuard = _SpecialForm("TypeGuard", _wrap_one)
Literal = _SpecialForm("Literal", _literal_getitem)


class TypeVar(_Final):
    """A type variable: `T = TypeVar('T')` prints as ~T."""

    def __init__(self, name, *constraints, bound=None, covariant=False, contravariant=False):
        if covariant and contravariant:
            raise ValueError("Bivariant types are not supported.")
        if len(constraints) == 1:
            raise TypeError("A single constraint is not allowed")
        self.__name__ = name
        self.__constraints__ = tuple(_type_check(c) for c in constraints)
        self.__bound__ = _type_check(bound) if bound is not None else None
        self.__covariant__ = bool(covariant)
        self.__contravariant__ = bool(contravariant)

    def __repr__(self):
        if self.__covariant__:
            prefix = "+"
        elif self.__contravariant__:
            prefix = "-"
        else:
            prefix = "~"
        return prefix + self.__name__

    def __or__(self, other):
        return Union[self, other]

    def __ror__(self, other):
        return Union[other, self]


class ParamSpec(TypeVar):
    """A parameter specification variable (prints as ~P)."""

    def __init__(self, name, *, bound=None, covariant=False, contravariant=False):
        super().__init__(name, bound=bound, covariant=covariant, contravariant=contravariant)


AnyStr = TypeVar("AnyStr", bytes, str)


class _BaseGenericAlias(_Final):
    def __init__(self, origin, name=None):
        self.__origin__ = origin
        self._name = name

    def __call__(self, *args, **kwargs):
        if self._name is not None and self.__origin__ in _ALIASED_BUILTINS:
            raise TypeError("Type " + self._name + " cannot be instantiated; use "
                            + self.__origin__.__name__ + "() instead")
        result = self.__origin__(*args, **kwargs)
        try:
            result.__orig_class__ = self
        except Exception:
            pass
        return result

    def __mro_entries__(self, bases):
        origin = self.__origin__
        if origin in bases:
            return ()
        return (origin,)

    def __or__(self, other):
        return Union[self, other]

    def __ror__(self, other):
        return Union[other, self]


class _GenericAlias(_BaseGenericAlias):
    """A subscripted generic: `List[int]`, `Dict[str, int]`, `Stack[int]`."""

    def __init__(self, origin, args, name=None):
        super().__init__(origin, name)
        if not isinstance(args, tuple):
            args = (args,)
        self.__args__ = tuple(... if a is ... else a for a in args)
        self.__parameters__ = tuple(a for a in args if isinstance(a, TypeVar))

    def __eq__(self, other):
        if not isinstance(other, _GenericAlias):
            return NotImplemented
        return self.__origin__ == other.__origin__ and self.__args__ == other.__args__

    def __hash__(self):
        return hash((self.__origin__, self.__args__))

    def __getitem__(self, params):
        if not isinstance(params, tuple):
            params = (params,)
        if not self.__parameters__:
            raise TypeError(repr(self) + " is not a generic class")
        mapping = dict(zip(self.__parameters__, params))
        args = tuple(mapping.get(a, a) if isinstance(a, TypeVar) else a for a in self.__args__)
        return self.copy_with(args)

    def copy_with(self, args):
        return self.__class__(self.__origin__, args, name=self._name)

    def _origin_repr(self):
        if self._name:
            return "typing." + self._name
        return _type_repr(self.__origin__)

    def __repr__(self):
        if self.__args__ == ():
            args = "()"
        else:
            args = ", ".join(_type_repr(a) for a in self.__args__)
        return self._origin_repr() + "[" + args + "]"


class _UnionGenericAlias(_GenericAlias):
    def __init__(self, origin, args, name=None):
        super().__init__(Union, args, name="Union")

    def copy_with(self, args):
        return Union[args]

    def __eq__(self, other):
        if not isinstance(other, _UnionGenericAlias):
            return NotImplemented
        return set(self.__args__) == set(other.__args__)

    def __hash__(self):
        return hash(frozenset(self.__args__))

    def __repr__(self):
        args = self.__args__
        if len(args) == 2:
            if args[0] is _NoneType:
                return "typing.Optional[" + _type_repr(args[1]) + "]"
            if args[1] is _NoneType:
                return "typing.Optional[" + _type_repr(args[0]) + "]"
        return "typing.Union[" + ", ".join(_type_repr(a) for a in args) + "]"


class _LiteralGenericAlias(_GenericAlias):
    def __repr__(self):
        return "typing.Literal[" + ", ".join(repr(a) for a in self.__args__) + "]"

    def __eq__(self, other):
        if not isinstance(other, _LiteralGenericAlias):
            return NotImplemented
        return set(self.__args__) == set(other.__args__)

    def __hash__(self):
        return hash(frozenset(self.__args__))


class _CallableGenericAlias(_GenericAlias):
    def __repr__(self):
        args = self.__args__
        if len(args) == 2 and args[0] is ...:
            return "typing.Callable[..., " + _type_repr(args[1]) + "]"
        params = ", ".join(_type_repr(a) for a in args[:-1])
        return "typing.Callable[[" + params + "], " + _type_repr(args[-1]) + "]"

    def copy_with(self, args):
        return _CallableGenericAlias(self.__origin__, args, name="Callable")


class _SpecialGenericAlias(_BaseGenericAlias):
    """`List`, `Dict`, `Iterable`...: unsubscripted, prints as typing.List."""

    def __init__(self, origin, nparams, name):
        super().__init__(origin, name)
        self._nparams = nparams

    def __repr__(self):
        return "typing." + self._name

    def __getitem__(self, params):
        if not isinstance(params, tuple):
            params = (params,)
        params = tuple(_type_check(p) for p in params)
        if self._nparams >= 0 and len(params) != self._nparams:
            many = "many" if len(params) > self._nparams else "few"
            raise TypeError("Too " + many + " arguments for " + repr(self) + "; actual "
                            + str(len(params)) + ", expected " + str(self._nparams))
        return _GenericAlias(self.__origin__, params, name=self._name)

    def __eq__(self, other):
        if not isinstance(other, _SpecialGenericAlias):
            return NotImplemented
        return self.__origin__ == other.__origin__ and self._name == other._name

    def __hash__(self):
        return hash((self.__origin__, self._name))

    def __instancecheck__(self, obj):
        return isinstance(obj, self.__origin__)

    def __subclasscheck__(self, cls):
        return issubclass(cls, self.__origin__)


class _CallableType(_SpecialGenericAlias):
    def __getitem__(self, params):
        if not isinstance(params, tuple) or len(params) != 2:
            raise TypeError("Callable must be used as Callable[[arg, ...], result].")
        args, result = params
        if args is ...:
            flat = (..., _type_check(result))
        else:
            if not isinstance(args, list):
                raise TypeError("Callable[args, result]: args must be a list. Got " + _type_repr(args))
            flat = tuple(_type_check(a) for a in args) + (_type_check(result),)
        return _CallableGenericAlias(self.__origin__, flat, name="Callable")


class _TupleType(_SpecialGenericAlias):
    def __getitem__(self, params):
        if params == ():
            return _GenericAlias(tuple, (), name="Tuple")
        if not isinstance(params, tuple):
            params = (params,)
        return _GenericAlias(tuple, tuple(_type_check(p) for p in params), name="Tuple")


def _abc(name):
    """A stand-in for the collections.abc class `name`."""
    cls = type(name, (), {})
    cls.__module__ = "collections.abc"
    return cls


_ALIASED_BUILTINS = (list, dict, set, frozenset, tuple, type)

List = _SpecialGenericAlias(list, 1, "List")
Dict = _SpecialGenericAlias(dict, 2, "Dict")
Set = _SpecialGenericAlias(set, 1, "Set")
FrozenSet = _SpecialGenericAlias(frozenset, 1, "FrozenSet")
Tuple = _TupleType(tuple, -1, "Tuple")
Type = _SpecialGenericAlias(type, 1, "Type")
Callable = _CallableType(_abc("Callable"), 2, "Callable")
Iterable = _SpecialGenericAlias(_abc("Iterable"), 1, "Iterable")
Iterator = _SpecialGenericAlias(_abc("Iterator"), 1, "Iterator")
Generator = _SpecialGenericAlias(_abc("Generator"), 3, "Generator")
Reversible = _SpecialGenericAlias(_abc("Reversible"), 1, "Reversible")
Container = _SpecialGenericAlias(_abc("Container"), 1, "Container")
Collection = _SpecialGenericAlias(_abc("Collection"), 1, "Collection")
Hashable = _SpecialGenericAlias(_abc("Hashable"), 0, "Hashable")
Sized = _SpecialGenericAlias(_abc("Sized"), 0, "Sized")
Awaitable = _SpecialGenericAlias(_abc("Awaitable"), 1, "Awaitable")
Coroutine = _SpecialGenericAlias(_abc("Coroutine"), 3, "Coroutine")
AsyncIterable = _SpecialGenericAlias(_abc("AsyncIterable"), 1, "AsyncIterable")
AsyncIterator = _SpecialGenericAlias(_abc("AsyncIterator"), 1, "AsyncIterator")
AsyncGenerator = _SpecialGenericAlias(_abc("AsyncGenerator"), 2, "AsyncGenerator")
Sequence = _SpecialGenericAlias(_abc("Sequence"), 1, "Sequence")
MutableSequence = _SpecialGenericAlias(_abc("MutableSequence"), 1, "MutableSequence")
Mapping = _SpecialGenericAlias(_abc("Mapping"), 2, "Mapping")
MutableMapping = _SpecialGenericAlias(_abc("MutableMapping"), 2, "MutableMapping")
AbstractSet = _SpecialGenericAlias(_abc("Set"), 1, "AbstractSet")
MutableSet = _SpecialGenericAlias(_abc("MutableSet"), 1, "MutableSet")
KeysView = _SpecialGenericAlias(_abc("KeysView"), 1, "KeysView")
ItemsView = _SpecialGenericAlias(_abc("ItemsView"), 2, "ItemsView")
ValuesView = _SpecialGenericAlias(_abc("ValuesView"), 1, "ValuesView")
ByteString = _SpecialGenericAlias(bytes, 0, "ByteString")


def _import_origin(module, name, nparams, alias):
    try:
        origin = getattr(__import__(module), name)
    except Exception:
        origin = _abc(name)
        origin.__module__ = module
    return _SpecialGenericAlias(origin, nparams, alias)


DefaultDict = _import_origin("collections", "defaultdict", 2, "DefaultDict")
OrderedDict = _import_origin("collections", "OrderedDict", 2, "OrderedDict")
Counter = _import_origin("collections", "Counter", 1, "Counter")
Deque = _import_origin("collections", "deque", 1, "Deque")
ChainMap = _import_origin("collections", "ChainMap", 2, "ChainMap")
Text = str


class Generic:
    """Abstract base class for generic types: `class Stack(Generic[T])`."""

    def __class_getitem__(cls, params):
        if not isinstance(params, tuple):
            params = (params,)
        params = tuple(_type_check(p) for p in params)
        if cls is Generic or cls is Protocol:
            for p in params:
                if not isinstance(p, TypeVar):
                    raise TypeError("Parameters to " + cls.__name__
                                    + "[...] must all be type variables or parameter specification variables.")
        return _GenericAlias(cls, params)

    def __init_subclass__(cls, *args, **kwargs):
        super().__init_subclass__(*args, **kwargs)


class Protocol(Generic):
    """Base class for protocol classes (structural subtyping)."""


def runtime_checkable(cls):
    """Mark a protocol class as a runtime protocol."""
    cls._is_runtime_protocol = True
    return cls


def cast(typ, val):
    """Cast a value to a type: returns the value unchanged."""
    return val


def assert_type(val, typ):
    return val


def reveal_type(obj):
    return obj


def overload(func):
    """Decorator for overloaded functions/methods."""

    def _overload_dummy(*args, **kwds):
        raise NotImplementedError(
            "You should not call an overloaded function. "
            "A series of @overload-decorated functions "
            "outside a stub module should always be followed "
            "by an implementation that is not @overload-ed.")

    return _overload_dummy


def final(f):
    try:
        f.__final__ = True
    except (AttributeError, TypeError):
        pass
    return f


def no_type_check(arg):
    """Decorator to indicate that annotations are not type hints."""
    try:
        arg.__no_type_check__ = True
    except TypeError:
        pass
    return arg


def no_type_check_decorator(decorator):
    return decorator


_BUILTIN_NAMES = {
    "int": int, "float": float, "str": str, "bool": bool, "bytes": bytes,
    "list": list, "dict": dict, "set": set, "frozenset": frozenset,
    "tuple": tuple, "type": type, "object": object, "None": _NoneType,
}


def _eval_hint(value, globalns):
    if globalns is not None and not isinstance(globalns, dict):
        globalns = getattr(globalns, "__dict__", None)
    if isinstance(value, str):
        value = ForwardRef(value)
    if isinstance(value, ForwardRef):
        name = value.__forward_arg__
        if globalns is not None and name in globalns:
            return globalns[name]
        if name in _BUILTIN_NAMES:
            return _BUILTIN_NAMES[name]
        return value
    if value is None:
        return _NoneType
    return value


def get_type_hints(obj, globalns=None, localns=None, include_extras=False):
    """The annotations of a function, method, module or class, with
    strings resolved where the name is known."""
    hints = {}
    if isinstance(obj, type):
        for base in reversed(obj.__mro__):
            ann = base.__dict__.get("__annotations__", {})
            if globalns is None:
                import sys
                module = sys.modules.get(base.__module__)
                ns = getattr(module, "__dict__", {}) if module is not None else {}
            else:
                ns = globalns
            for name, value in ann.items():
                hints[name] = _eval_hint(value, ns)
        return hints
    ann = getattr(obj, "__annotations__", None)
    if ann is None:
        raise TypeError(repr(obj) + " is not a module, class, method, or function.")
    if globalns is None:
        globalns = getattr(obj, "__globals__", {})
    for name, value in ann.items():
        hints[name] = _eval_hint(value, globalns)
    return hints


def get_origin(tp):
    """`get_origin(List[int])` is list."""
    if isinstance(tp, _BaseGenericAlias):
        return tp.__origin__
    if tp is Generic:
        return Generic
    if type(tp).__name__ == "GenericAlias":
        try:
            return tp.__origin__
        except AttributeError:
            return None
    return None


def get_args(tp):
    """`get_args(Dict[str, int])` is (str, int)."""
    if isinstance(tp, _CallableGenericAlias):
        args = tp.__args__
        if args and args[0] is not ...:
            return (list(args[:-1]), args[-1])
        return args
    if isinstance(tp, _GenericAlias):
        return tp.__args__
    if type(tp).__name__ == "GenericAlias":
        try:
            return tp.__args__
        except AttributeError:
            return ()
    return ()


def NewType(name, tp):
    """`UserId = NewType('UserId', int)`: a callable returning its argument."""

    def new_type(x):
        return x

    new_type.__name__ = name
    new_type.__qualname__ = name
    new_type.__supertype__ = tp
    return new_type


# ----------------------------------------------------------------- NamedTuple

_prohibited = ("__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
               "_field_defaults", "_make", "_replace", "_asdict", "_source")


def _field_getter(index):
    return property(lambda self: tuple.__getitem__(self, index))


class _NamedTupleBase(tuple):
    """The base a `class X(NamedTuple)` gets: completed into a namedtuple
    by `__init_subclass__`."""

    def __init_subclass__(cls, **kwargs):
        _complete_namedtuple(cls)

    def __new__(cls, *args, **kwargs):
        return _namedtuple_new(cls, args, kwargs)

    def __repr__(self):
        parts = []
        for name, value in zip(self._fields, self):
            parts.append(name + "=" + repr(value))
        return self.__class__.__name__ + "(" + ", ".join(parts) + ")"

    def _asdict(self):
        return dict(zip(self._fields, self))

    def _replace(self, **kwargs):
        values = []
        for name, value in zip(self._fields, self):
            values.append(kwargs.pop(name, value))
        if kwargs:
            raise ValueError("Got unexpected field names: " + repr(list(kwargs)))
        return self.__class__(*values)

    @classmethod
    def _make(cls, iterable):
        values = tuple(iterable)
        if len(values) != len(cls._fields):
            raise TypeError("Expected " + str(len(cls._fields)) + " arguments, got " + str(len(values)))
        return tuple.__new__(cls, values)

    def __getnewargs__(self):
        return tuple(self)


def _complete_namedtuple(cls):
    """Makes a class whose base is _NamedTupleBase a namedtuple: its
    annotated fields, their defaults and accessors."""
    own = cls.__dict__
    annotations = own.get("__annotations__", {})
    fields = tuple(annotations)
    defaults = {}
    for name in fields:
        if name in own:
            defaults[name] = own[name]
        elif defaults:
            raise TypeError("Non-default namedtuple field " + name
                            + " cannot follow default field"
                            + ("s " if len(defaults) > 1 else " ")
                            + ", ".join(defaults))
    for key in own:
        if key in _prohibited:
            raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
    cls._fields = fields
    cls._field_defaults = defaults
    cls.__match_args__ = fields
    for index, name in enumerate(fields):
        setattr(cls, name, _field_getter(index))


def _namedtuple_new(cls, args, kwargs):
    """`Point(...)`: binds the fields as CPython's generated __new__ does."""
    fields = cls._fields
    name = cls.__name__ + ".__new__()"
    if len(args) > len(fields):
        most = len(fields) + 1
        least = most - len(cls._field_defaults)
        if least == most:
            takes = str(most) + " positional argument" + ("" if most == 1 else "s")
        else:
            takes = "from " + str(least) + " to " + str(most) + " positional arguments"
        raise TypeError(name + " takes " + takes + " but "
                        + str(len(args) + 1) + " were given")
    values = list(args)
    for key in kwargs:
        if key not in fields:
            raise TypeError(name + " got an unexpected keyword argument '" + key + "'")
        if fields.index(key) < len(args):
            raise TypeError(name + " got multiple values for argument '" + key + "'")
    missing = []
    for index in range(len(args), len(fields)):
        field = fields[index]
        if field in kwargs:
            values.append(kwargs[field])
        elif field in cls._field_defaults:
            values.append(cls._field_defaults[field])
        else:
            missing.append(field)
    if missing:
        quoted = ["'" + m + "'" for m in missing]
        if len(quoted) == 1:
            listed = quoted[0]
        elif len(quoted) == 2:
            listed = quoted[0] + " and " + quoted[1]
        else:
            listed = ", ".join(quoted[:-1]) + ", and " + quoted[-1]
        raise TypeError(name + " missing " + str(len(missing)) + " required positional argument"
                        + ("" if len(missing) == 1 else "s") + ": " + listed)
    return tuple.__new__(cls, values)


class _NamedTupleEntry:
    """`NamedTuple`: a class base (class syntax) or a function
    (`NamedTuple('P', [('x', int)])`)."""

    def __mro_entries__(self, bases):
        return (_NamedTupleBase,)

    def __call__(self, typename, fields=None, /, **kwargs):
        if fields is None:
            fields = list(kwargs.items())
        annotations = {}
        for name, tp in fields:
            annotations[name] = tp
        cls = type(typename, (_NamedTupleBase,), {"__annotations__": annotations})
        _complete_namedtuple(cls)
        return cls

    def __repr__(self):
        return "<function NamedTuple>"


NamedTuple = _NamedTupleEntry()


# ----------------------------------------------------------------- TypedDict

class _TypedDictBase(dict):
    """The base a `class X(TypedDict)` gets: calling the class makes a
    plain dict."""

    def __init_subclass__(cls, total=True, **kwargs):
        _complete_typeddict(cls, total)

    def __new__(cls, *args, **kwargs):
        return dict(*args, **kwargs)


def _complete_typeddict(cls, total):
    """The key sets of a TypedDict class."""
    own = cls.__dict__.get("__annotations__", {})
    annotations = {}
    required = set()
    optional = set()
    for base in cls.__mro__[1:]:
        annotations.update(base.__dict__.get("__annotations__", {}))
        required |= set(base.__dict__.get("__required_keys__", ()))
        optional |= set(base.__dict__.get("__optional_keys__", ()))
    annotations.update(own)
    for key in own:
        if total:
            required.add(key)
        else:
            optional.add(key)
    cls.__annotations__ = annotations
    cls.__required_keys__ = frozenset(required)
    cls.__optional_keys__ = frozenset(optional)
    cls.__total__ = total


class _TypedDictEntry:
    """`TypedDict`: a class base (class syntax) or a function
    (`TypedDict('Movie', {'title': str})`)."""

    def __mro_entries__(self, bases):
        return (_TypedDictBase,)

    def __call__(self, typename, fields=None, /, *, total=True, **kwargs):
        if fields is None:
            fields = kwargs
        ns = {"__annotations__": dict(fields)}
        cls = type(typename, (_TypedDictBase,), ns)
        _complete_typeddict(cls, total)
        return cls

    def __repr__(self):
        return "<function TypedDict>"


TypedDict = _TypedDictEntry()


def is_typeddict(tp):
    return isinstance(tp, type) and issubclass(tp, _TypedDictBase) and tp is not _TypedDictBase


__all__ = [
    "Any", "Callable", "ClassVar", "Final", "ForwardRef", "Generic", "Literal",
    "Optional", "ParamSpec", "Protocol", "Tuple", "Type", "TypeVar", "Union",
    "AbstractSet", "ByteString", "Container", "Hashable", "ItemsView", "Iterable",
    "Iterator", "KeysView", "Mapping", "MutableMapping",
    "MutableSequence", "MutableSet", "Sequence", "Sized", "ValuesView",
    "Awaitable", "AsyncIterator", "AsyncIterable", "Coroutine", "Collection",
    "AsyncGenerator", "Reversible", "ChainMap", "Counter", "Deque", "Dict",
    "DefaultDict", "List", "OrderedDict", "Set", "FrozenSet", "NamedTuple",
    "TypedDict", "Generator", "AnyStr", "cast", "final", "get_args",
    "get_origin", "get_type_hints", "is_typeddict", "NewType", "no_type_check",
    "no_type_check_decorator", "NoReturn", "Never", "overload",
    "runtime_checkable", "Text", "TYPE_CHECKING", "TypeAlias", "TypeGuard",
    "Self", "LiteralString", "Required", "NotRequired", "assert_type", "reveal_type",
]
