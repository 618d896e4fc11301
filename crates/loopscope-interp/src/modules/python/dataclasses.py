"""dataclasses: classes whose methods are made from their annotations,
written for Loopscope.

The behaviour follows CPython 3.11's Lib/dataclasses.py: which annotations
become fields (ClassVar and InitVar pseudo-fields, KW_ONLY), how fields are
inherited, the generated __init__, __repr__, __eq__, ordering, __hash__
(its decision table) and frozen __setattr__/__delattr__, and the errors
CPython raises. As CPython does, the methods are generated as source text
and compiled, so the __init__ is a real Python function and a bad call
reads exactly like CPython's ("Point.__init__() missing 1 required
positional argument: 'y'"). The code is compiled by the internal
`_loopscope_codegen` module; its frames are hidden from tracebacks.
"""

import copy
import sys
import _loopscope_codegen

__all__ = ['dataclass',
           'field',
           'Field',
           'FrozenInstanceError',
           'InitVar',
           'KW_ONLY',
           'MISSING',

           # Helper functions.
           'fields',
           'asdict',
           'astuple',
           'make_dataclass',
           'replace',
           'is_dataclass',
           ]


class FrozenInstanceError(AttributeError):
    """Raised when a field of a frozen dataclass instance is assigned or
    deleted."""


class _HAS_DEFAULT_FACTORY_CLASS:
    """The default of an __init__ parameter whose field has a
    default_factory: the factory runs when the argument is left out."""

    def __repr__(self):
        return '<factory>'


_HAS_DEFAULT_FACTORY = _HAS_DEFAULT_FACTORY_CLASS()


class _MISSING_TYPE:
    """The type of MISSING, the marker of "no default given"."""


MISSING = _MISSING_TYPE()


class _KW_ONLY_TYPE:
    """The type of KW_ONLY: the fields annotated after `_: KW_ONLY` are
    keyword-only."""


KW_ONLY = _KW_ONLY_TYPE()


class _FIELD_BASE:
    """The kinds of fields: real ones, ClassVar and InitVar."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_FIELD = _FIELD_BASE('_FIELD')
_FIELD_CLASSVAR = _FIELD_BASE('_FIELD_CLASSVAR')
_FIELD_INITVAR = _FIELD_BASE('_FIELD_INITVAR')

# The class attribute that lists the fields and marks a dataclass.
_FIELDS = '__dataclass_fields__'
# The class attribute that keeps the arguments of @dataclass.
_PARAMS = '__dataclass_params__'
# Called at the end of the generated __init__, if the class has it.
_POST_INIT_NAME = '__post_init__'


class _ReadOnlyMapping:
    """A field's metadata: a read-only view of the mapping given to
    field(), shown as CPython's mappingproxy."""

    def __init__(self, mapping):
        self._mapping = mapping

    def __getitem__(self, key):
        return self._mapping[key]

    def __iter__(self):
        return iter(self._mapping)

    def __len__(self):
        return len(self._mapping)

    def __contains__(self, key):
        return key in self._mapping

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

    def __eq__(self, other):
        return self._mapping == other

    def __repr__(self):
        return f'mappingproxy({self._mapping!r})'

    def __str__(self):
        return str(self._mapping)


_EMPTY_METADATA = _ReadOnlyMapping({})


def _recursive_repr(user_function):
    """Wraps a __repr__ so that an object reached again while its own repr
    is being built shows as '...' (reprlib.recursive_repr)."""
    running = set()

    def wrapper(self):
        key = id(self)
        if key in running:
            return '...'
        running.add(key)
        try:
            result = user_function(self)
        finally:
            running.discard(key)
        return result

    wrapper.__module__ = getattr(user_function, '__module__', None)
    wrapper.__name__ = user_function.__name__
    wrapper.__qualname__ = user_function.__qualname__
    wrapper.__doc__ = getattr(user_function, '__doc__', None)
    wrapper.__wrapped__ = user_function
    return wrapper


class InitVar:
    """An init-only pseudo-field: an __init__ parameter that is passed to
    __post_init__ and not stored."""

    __slots__ = ('type', )

    def __init__(self, type):
        self.type = type

    def __repr__(self):
        if isinstance(self.type, type):
            type_name = self.type.__name__
        else:
            # typing objects, e.g. List[int]
            type_name = repr(self.type)
        return f'dataclasses.InitVar[{type_name}]'

    def __class_getitem__(cls, type):
        return InitVar(type)


class Field:
    """What field() returns and fields() lists: a field's name, type and
    options."""

    __slots__ = ('name',
                 'type',
                 'default',
                 'default_factory',
                 'repr',
                 'hash',
                 'init',
                 'compare',
                 'metadata',
                 'kw_only',
                 '_field_type',  # Private: not to be used by user code.
                 )

    def __init__(self, default, default_factory, init, repr, hash, compare,
                 metadata, kw_only):
        # The name and the type are known only when the class is
        # processed.
        self.name = None
        self.type = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        if metadata is None:
            self.metadata = _EMPTY_METADATA
        else:
            self.metadata = _ReadOnlyMapping(metadata)
        self.kw_only = kw_only
        self._field_type = None

    def _repr(self):
        return ('Field('
                f'name={self.name!r},'
                f'type={self.type!r},'
                f'default={self.default!r},'
                f'default_factory={self.default_factory!r},'
                f'init={self.init!r},'
                f'repr={self.repr!r},'
                f'hash={self.hash!r},'
                f'compare={self.compare!r},'
                f'metadata={self.metadata!r},'
                f'kw_only={self.kw_only!r},'
                f'_field_type={self._field_type}'
                ')')

    __repr__ = _recursive_repr(_repr)

    def __set_name__(self, owner, name):
        # PEP 487: a descriptor given as a field's default learns its name
        # (the Field is replaced by the default when the class is
        # processed).
        func = getattr(type(self.default), '__set_name__', None)
        if func:
            func(self.default, owner, name)


class _DataclassParams:
    """The arguments @dataclass was given (`__dataclass_params__`)."""

    __slots__ = ('init',
                 'repr',
                 'eq',
                 'order',
                 'unsafe_hash',
                 'frozen',
                 )

    def __init__(self, init, repr, eq, order, unsafe_hash, frozen):
        self.init = init
        self.repr = repr
        self.eq = eq
        self.order = order
        self.unsafe_hash = unsafe_hash
        self.frozen = frozen

    def __repr__(self):
        return ('_DataclassParams('
                f'init={self.init!r},'
                f'repr={self.repr!r},'
                f'eq={self.eq!r},'
                f'order={self.order!r},'
                f'unsafe_hash={self.unsafe_hash!r},'
                f'frozen={self.frozen!r}'
                ')')


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True,
          hash=None, compare=True, metadata=None, kw_only=MISSING):
    """Return an object to identify dataclass fields.

    default is the default value of the field.  default_factory is a
    0-argument function called to initialize a field's value.  If init
    is true, the field will be a parameter to the class's __init__()
    function.  If repr is true, the field will be included in the
    object's repr().  If hash is true, the field will be included in the
    object's hash().  If compare is true, the field will be used in
    comparison functions.  metadata, if specified, must be a mapping
    which is stored but not otherwise examined by dataclass.  If kw_only
    is true, the field will become a keyword-only parameter to
    __init__().

    It is an error to specify both default and default_factory.
    """
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError('cannot specify both default and default_factory')
    return Field(default, default_factory, init, repr, hash, compare,
                 metadata, kw_only)


# ------------------------------------------------------------------
# Generating the methods.
#
# Every method of a class is written as source text, then all of them are
# compiled at once inside a factory function whose parameters are the
# values the methods refer to (the fields' types and defaults, MISSING,
# object, the class): those become the methods' closure variables, as in
# CPython's _create_fn.

class _MethodBuilder:
    """Collects the methods of one class and compiles them together."""

    def __init__(self, cls):
        self.cls = cls
        self.names = {}
        self.sources = []
        self.method_names = []

    def value(self, name, value):
        """Makes `value` visible to the methods as `name`."""
        self.names[name] = value

    def add(self, name, params, body, return_type=MISSING):
        """Adds method `name(params)` with the body lines `body`."""
        annotation = ''
        if return_type is not MISSING:
            self.names['__dataclass_return_type__'] = return_type
            annotation = '->__dataclass_return_type__'
        lines = [f' def {name}({",".join(params)}){annotation}:']
        lines.extend(f'  {line}' for line in body)
        self.sources.append('\n'.join(lines))
        self.method_names.append(name)

    def build(self):
        """Compiles the methods; returns them by name, with CPython's
        qualified names (`Point.__init__`)."""
        if not self.method_names:
            return {}
        parameters = ', '.join(self.names)
        returned = ', '.join(f'{name!r}: {name}' for name in self.method_names)
        text = (f'def __create_fn__({parameters}):\n'
                + '\n'.join(self.sources)
                + f'\n return {{{returned}}}\n')
        defined = _loopscope_codegen.define(text, '<string>')
        methods = defined['__create_fn__'](**self.names)
        for method in methods.values():
            method.__qualname__ = f'{self.cls.__qualname__}.{method.__name__}'
        return methods


def _fields_in_init_order(fields):
    """The __init__ parameters: positional ones, then keyword-only ones."""
    return (tuple(f for f in fields if f.init and not f.kw_only),
            tuple(f for f in fields if f.init and f.kw_only))


def _tuple_str(obj_name, fields):
    """'(self.x,self.y,)': the fields of `obj_name` as a tuple display."""
    if not fields:
        return '()'
    return f'({",".join([f"{obj_name}.{f.name}" for f in fields])},)'


def _field_assign(frozen, name, value, self_name):
    # A frozen instance is filled through object.__setattr__, which its
    # own __setattr__ would refuse.
    if frozen:
        return f'__dataclass_builtins_object__.__setattr__({self_name},{name!r},{value})'
    return f'{self_name}.{name}={value}'


def _field_init(builder, f, frozen, self_name):
    """The line of __init__ that sets field `f`, or None if nothing is
    stored (an InitVar, or an init=False field whose default stays on the
    class)."""
    default_name = f'_dflt_{f.name}'
    if f.default_factory is not MISSING:
        builder.value(default_name, f.default_factory)
        if f.init:
            # The factory runs only when the argument was left out.
            value = (f'{default_name}() '
                     f'if {f.name} is _HAS_DEFAULT_FACTORY '
                     f'else {f.name}')
        else:
            value = f'{default_name}()'
    elif f.init:
        if f.default is not MISSING:
            builder.value(default_name, f.default)
        value = f.name
    else:
        # Reading the attribute finds the default on the class.
        return None
    if f._field_type is _FIELD_INITVAR:
        return None
    return _field_assign(frozen, f.name, value, self_name)


def _init_param(f):
    """'x:_type_x=_dflt_x': the parameter of __init__ for field `f`."""
    if f.default is MISSING and f.default_factory is MISSING:
        default = ''
    elif f.default is not MISSING:
        default = f'=_dflt_{f.name}'
    else:
        default = '=_HAS_DEFAULT_FACTORY'
    return f'{f.name}:_type_{f.name}{default}'


def _add_init(builder, fields, std_fields, kw_only_fields, frozen,
              has_post_init, self_name):
    # A parameter without a default cannot follow one with a default;
    # compiling would say so too, but less clearly.
    seen_default = False
    for f in std_fields:
        if f.init:
            if not (f.default is MISSING and f.default_factory is MISSING):
                seen_default = True
            elif seen_default:
                raise TypeError(f'non-default argument {f.name!r} '
                                'follows default argument')

    for f in fields:
        builder.value(f'_type_{f.name}', f.type)
    builder.value('MISSING', MISSING)
    builder.value('_HAS_DEFAULT_FACTORY', _HAS_DEFAULT_FACTORY)
    builder.value('__dataclass_builtins_object__', object)

    body = []
    for f in fields:
        line = _field_init(builder, f, frozen, self_name)
        if line:
            body.append(line)
    if has_post_init:
        initvars = ','.join(f.name for f in fields
                            if f._field_type is _FIELD_INITVAR)
        body.append(f'{self_name}.{_POST_INIT_NAME}({initvars})')
    if not body:
        body = ['pass']

    params = [_init_param(f) for f in std_fields]
    if kw_only_fields:
        params.append('*')
        params.extend(_init_param(f) for f in kw_only_fields)
    builder.add('__init__', [self_name] + params, body, return_type=None)


def _add_repr(builder, fields):
    shown = ', '.join([f"{f.name}={{self.{f.name}!r}}" for f in fields])
    builder.add('__repr__', ('self',),
                ['return self.__class__.__qualname__ + f"(' + shown + ')"'])


def _add_frozen_methods(builder, cls, fields):
    builder.value('cls', cls)
    builder.value('FrozenInstanceError', FrozenInstanceError)
    if fields:
        names = '(' + ','.join(repr(f.name) for f in fields) + ',)'
    else:
        names = '()'
    builder.add('__setattr__', ('self', 'name', 'value'),
                (f'if type(self) is cls or name in {names}:',
                 ' raise FrozenInstanceError(f"cannot assign to field {name!r}")',
                 'super(cls, self).__setattr__(name, value)'))
    builder.add('__delattr__', ('self', 'name'),
                (f'if type(self) is cls or name in {names}:',
                 ' raise FrozenInstanceError(f"cannot delete field {name!r}")',
                 'super(cls, self).__delattr__(name)'))


def _add_comparison(builder, name, op, self_tuple, other_tuple):
    builder.add(name, ('self', 'other'),
                ['if other.__class__ is self.__class__:',
                 f' return {self_tuple}{op}{other_tuple}',
                 'return NotImplemented'])


def _add_hash(builder, fields):
    self_tuple = _tuple_str('self', fields)
    builder.add('__hash__', ('self',), [f'return hash({self_tuple})'])


# ------------------------------------------------------------------
# Recognising ClassVar, InitVar and KW_ONLY annotations.

def _is_classvar(a_type, typing):
    class_var = getattr(typing, 'ClassVar', None)
    if class_var is None:
        return False
    return (a_type is class_var
            or getattr(a_type, '__origin__', None) is class_var)


def _is_initvar(a_type, dataclasses):
    return (a_type is dataclasses.InitVar
            or type(a_type) is dataclasses.InitVar)


def _is_kw_only(a_type, dataclasses):
    return a_type is dataclasses.KW_ONLY


def _is_word_char(ch):
    return ch.isalnum() or ch == '_'


def _split_annotation(annotation):
    """What CPython's regex `^(?:\\s*(\\w+)\\s*\\.)?\\s*(\\w+)` finds at the
    start of a string annotation: (module or None, name), or None."""
    n = len(annotation)
    i = 0
    while i < n and annotation[i].isspace():
        i += 1
    start = i
    while i < n and _is_word_char(annotation[i]):
        i += 1
    first = annotation[start:i]
    if not first:
        return None
    j = i
    while j < n and annotation[j].isspace():
        j += 1
    if j < n and annotation[j] == '.':
        j += 1
        while j < n and annotation[j].isspace():
            j += 1
        start = j
        while j < n and _is_word_char(annotation[j]):
            j += 1
        second = annotation[start:j]
        if second:
            return first, second
    return None, first


def _is_type(annotation, cls, a_module, a_type, is_type_predicate):
    """Does the string annotation name `a_type` of `a_module`, as seen
    from the globals of the class's module? (CPython's best effort: no
    evaluation, only `name[...]` or `module.name[...]`.)"""
    match = _split_annotation(annotation)
    if match is None:
        return False
    module_name, name = match
    ns = None
    if not module_name:
        module = sys.modules.get(cls.__module__)
        if module is not None:
            ns = module.__dict__
    else:
        module = sys.modules.get(cls.__module__)
        if module and module.__dict__.get(module_name) is a_module:
            ns = sys.modules.get(a_type.__module__).__dict__
    return bool(ns) and is_type_predicate(ns.get(name), a_module)


def _get_field(cls, a_name, a_type, default_kw_only):
    """The Field for one annotation of the class, its kind decided."""
    default = getattr(cls, a_name, MISSING)
    if isinstance(default, Field):
        f = default
    else:
        f = field(default=default)
    f.name = a_name
    f.type = a_type
    f._field_type = _FIELD

    # ClassVar can only be meant if typing was imported somewhere.
    typing = sys.modules.get('typing')
    if typing:
        if (_is_classvar(a_type, typing)
                or (isinstance(f.type, str)
                    and _is_type(f.type, cls, typing,
                                 getattr(typing, 'ClassVar', None),
                                 _is_classvar))):
            f._field_type = _FIELD_CLASSVAR

    if f._field_type is _FIELD:
        dataclasses = sys.modules[__name__]
        if (_is_initvar(a_type, dataclasses)
                or (isinstance(f.type, str)
                    and _is_type(f.type, cls, dataclasses, dataclasses.InitVar,
                                 _is_initvar))):
            f._field_type = _FIELD_INITVAR

    if f._field_type in (_FIELD_CLASSVAR, _FIELD_INITVAR):
        if f.default_factory is not MISSING:
            raise TypeError(f'field {f.name} cannot have a '
                            'default factory')

    if f._field_type in (_FIELD, _FIELD_INITVAR):
        if f.kw_only is MISSING:
            f.kw_only = default_kw_only
    elif f.kw_only is not MISSING:
        raise TypeError(f'field {f.name} is a ClassVar but specifies '
                        'kw_only')

    # An unhashable default stands for a mutable one, shared by every
    # instance: refused, as in CPython.
    if f._field_type is _FIELD and f.default.__class__.__hash__ is None:
        raise ValueError(f'mutable default {type(f.default)} for field '
                         f'{f.name} is not allowed: use default_factory')
    return f


def _set_new_attribute(cls, name, value):
    """Sets a generated method unless the class defines that name itself;
    True if it does."""
    if name in cls.__dict__:
        return True
    setattr(cls, name, value)
    return False


# What to do about __hash__, by (unsafe_hash, eq, frozen, explicit hash):
# None leaves it, 'none' sets it to None, 'add' generates it, 'raise'
# refuses (CPython's _hash_action table).
_hash_action = {(False, False, False, False): None,
                (False, False, False, True): None,
                (False, False, True, False): None,
                (False, False, True, True): None,
                (False, True, False, False): 'none',
                (False, True, False, True): None,
                (False, True, True, False): 'add',
                (False, True, True, True): None,
                (True, False, False, False): 'add',
                (True, False, False, True): 'raise',
                (True, False, True, False): 'add',
                (True, False, True, True): 'raise',
                (True, True, False, False): 'add',
                (True, True, False, True): 'raise',
                (True, True, True, False): 'add',
                (True, True, True, True): 'raise',
                }


def _format_annotation(annotation):
    """An annotation as inspect.signature shows it."""
    if getattr(annotation, '__module__', None) == 'typing':
        return repr(annotation).replace('typing.', '')
    if isinstance(annotation, type) and not hasattr(annotation, '__origin__'):
        if annotation.__module__ == 'builtins':
            return annotation.__qualname__
        return annotation.__module__ + '.' + annotation.__qualname__
    if hasattr(annotation, '__origin__') and not isinstance(annotation, str):
        return str(annotation)
    return repr(annotation)


def _signature_text(std_fields, kw_only_fields):
    """The class's signature as `inspect.signature(cls)` prints it, for
    the generated docstring: `(x: int, y: int = 0)`."""
    def param(f):
        text = f'{f.name}: {_format_annotation(f.type)}'
        if f.default is not MISSING:
            text += f' = {f.default!r}'
        elif f.default_factory is not MISSING:
            text += ' = <factory>'
        return text
    params = [param(f) for f in std_fields]
    if kw_only_fields:
        params.append('*')
        params.extend(param(f) for f in kw_only_fields)
    return '(' + ', '.join(params) + ')'


def _process_class(cls, init, repr, eq, order, unsafe_hash, frozen,
                   match_args, kw_only, slots, weakref_slot):
    # Fields by name, in definition order: a subclass's field replaces
    # the base's field of the same name but keeps its position.
    fields = {}

    setattr(cls, _PARAMS, _DataclassParams(init, repr, eq, order,
                                           unsafe_hash, frozen))

    any_frozen_base = False
    has_dataclass_bases = False
    for b in cls.__mro__[-1:0:-1]:
        base_fields = getattr(b, _FIELDS, None)
        if base_fields is not None:
            has_dataclass_bases = True
            for f in base_fields.values():
                fields[f.name] = f
            if getattr(b, _PARAMS).frozen:
                any_frozen_base = True

    cls_annotations = cls.__dict__.get('__annotations__', {})

    cls_fields = []
    kw_only_seen = False
    dataclasses = sys.modules[__name__]
    for name, type in cls_annotations.items():
        if (_is_kw_only(type, dataclasses)
                or (isinstance(type, str)
                    and _is_type(type, cls, dataclasses, dataclasses.KW_ONLY,
                                 _is_kw_only))):
            # `_: KW_ONLY` is a marker, not a field.
            if kw_only_seen:
                raise TypeError(f'{name!r} is KW_ONLY, but KW_ONLY '
                                'has already been specified')
            kw_only_seen = True
            kw_only = True
        else:
            cls_fields.append(_get_field(cls, name, type, kw_only))

    for f in cls_fields:
        fields[f.name] = f
        # The class attribute becomes the plain default (or goes away),
        # not the Field object.
        if isinstance(getattr(cls, f.name, None), Field):
            if f.default is MISSING:
                delattr(cls, f.name)
            else:
                setattr(cls, f.name, f.default)

    for name, value in cls.__dict__.items():
        if isinstance(value, Field) and not name in cls_annotations:
            raise TypeError(f'{name!r} is a field but has no type annotation')

    if has_dataclass_bases:
        if any_frozen_base and not frozen:
            raise TypeError('cannot inherit non-frozen dataclass from a '
                            'frozen one')
        if not any_frozen_base and frozen:
            raise TypeError('cannot inherit frozen dataclass from a '
                            'non-frozen one')

    setattr(cls, _FIELDS, fields)

    # A __hash__ the class wrote itself (not the None that defining
    # __eq__ implies).
    class_hash = cls.__dict__.get('__hash__', MISSING)
    has_explicit_hash = not (class_hash is MISSING or
                             (class_hash is None and '__eq__' in cls.__dict__))

    if order and not eq:
        raise ValueError('eq must be true if order is true')

    all_init_fields = [f for f in fields.values()
                       if f._field_type in (_FIELD, _FIELD_INITVAR)]
    std_init_fields, kw_only_init_fields = _fields_in_init_order(all_init_fields)

    builder = _MethodBuilder(cls)
    wanted = []
    if init:
        has_post_init = hasattr(cls, _POST_INIT_NAME)
        _add_init(builder, all_init_fields, std_init_fields,
                  kw_only_init_fields, frozen, has_post_init,
                  '__dataclass_self__' if 'self' in fields else 'self')
        wanted.append('__init__')

    field_list = [f for f in fields.values() if f._field_type is _FIELD]

    if repr:
        _add_repr(builder, [f for f in field_list if f.repr])
        wanted.append('__repr__')

    compared = [f for f in field_list if f.compare]
    self_tuple = _tuple_str('self', compared)
    other_tuple = _tuple_str('other', compared)
    if eq:
        _add_comparison(builder, '__eq__', '==', self_tuple, other_tuple)
        wanted.append('__eq__')

    order_methods = [('__lt__', '<'), ('__le__', '<='),
                     ('__gt__', '>'), ('__ge__', '>=')]
    if order:
        for name, op in order_methods:
            _add_comparison(builder, name, op, self_tuple, other_tuple)

    if frozen:
        _add_frozen_methods(builder, cls, field_list)

    hash_action = _hash_action[bool(unsafe_hash), bool(eq), bool(frozen),
                               has_explicit_hash]
    if hash_action == 'add':
        _add_hash(builder, [f for f in field_list
                            if (f.compare if f.hash is None else f.hash)])

    methods = builder.build()

    if init:
        _set_new_attribute(cls, '__init__', methods['__init__'])
    if repr:
        _set_new_attribute(cls, '__repr__', _recursive_repr(methods['__repr__']))
    if eq:
        _set_new_attribute(cls, '__eq__', methods['__eq__'])
    if order:
        for name, op in order_methods:
            if _set_new_attribute(cls, name, methods[name]):
                raise TypeError(f'Cannot overwrite attribute {name} '
                                f'in class {cls.__name__}. Consider using '
                                'functools.total_ordering')
    if frozen:
        for name in ('__setattr__', '__delattr__'):
            if _set_new_attribute(cls, name, methods[name]):
                raise TypeError(f'Cannot overwrite attribute {name} '
                                f'in class {cls.__name__}')

    if hash_action == 'none':
        cls.__hash__ = None
    elif hash_action == 'add':
        cls.__hash__ = methods['__hash__']
    elif hash_action == 'raise':
        raise TypeError(f'Cannot overwrite attribute __hash__ '
                        f'in class {cls.__name__}')

    if not getattr(cls, '__doc__'):
        cls.__doc__ = cls.__name__ + _signature_text(std_init_fields,
                                                     kw_only_init_fields)

    if match_args:
        _set_new_attribute(cls, '__match_args__',
                           tuple(f.name for f in std_init_fields))

    if weakref_slot and not slots:
        raise TypeError('weakref_slot is True but slots is False')
    if slots:
        if '__slots__' in cls.__dict__:
            raise TypeError(f'{cls.__name__} already specifies __slots__')
        # Loopscope's instances keep their attributes in a dict either
        # way: the class is kept, with the __slots__ CPython would give it.
        cls.__slots__ = tuple(f.name for f in field_list)
    return cls


def dataclass(cls=None, /, *, init=True, repr=True, eq=True, order=False,
              unsafe_hash=False, frozen=False, match_args=True,
              kw_only=False, slots=False, weakref_slot=False):
    """Add dunder methods based on the fields defined in the class.

    Examines PEP 526 __annotations__ to determine fields.

    If init is true, an __init__() method is added to the class. If repr
    is true, a __repr__() method is added. If order is true, rich
    comparison dunder methods are added. If unsafe_hash is true, a
    __hash__() method is added. If frozen is true, fields may not be
    assigned to after instance creation. If match_args is true, the
    __match_args__ tuple is added. If kw_only is true, then by default
    all fields are keyword-only. If slots is true, a new class with a
    __slots__ attribute is returned.
    """

    def wrap(cls):
        return _process_class(cls, init, repr, eq, order, unsafe_hash,
                              frozen, match_args, kw_only, slots,
                              weakref_slot)

    if cls is None:
        # Called with arguments: @dataclass(...).
        return wrap
    return wrap(cls)


def fields(class_or_instance):
    """Return a tuple describing the fields of this dataclass.

    Accepts a dataclass or an instance of one. Tuple elements are of
    type Field.
    """
    try:
        fields = getattr(class_or_instance, _FIELDS)
    except AttributeError:
        raise TypeError('must be called with a dataclass type or instance') from None
    return tuple(f for f in fields.values() if f._field_type is _FIELD)


def _is_dataclass_instance(obj):
    """Returns True if obj is an instance of a dataclass."""
    return hasattr(type(obj), _FIELDS)


def is_dataclass(obj):
    """Returns True if obj is a dataclass or an instance of a
    dataclass."""
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, _FIELDS)


def asdict(obj, *, dict_factory=dict):
    """Return the fields of a dataclass instance as a new dictionary mapping
    field names to field values.

    If given, 'dict_factory' will be used instead of built-in dict.
    The function applies recursively to field values that are
    dataclass instances. This will also look into built-in containers:
    tuples, lists, and dicts.
    """
    if not _is_dataclass_instance(obj):
        raise TypeError("asdict() should be called on dataclass instances")
    return _asdict_inner(obj, dict_factory)


def _asdict_inner(obj, dict_factory):
    if _is_dataclass_instance(obj):
        result = []
        for f in fields(obj):
            value = _asdict_inner(getattr(obj, f.name), dict_factory)
            result.append((f.name, value))
        return dict_factory(result)
    elif isinstance(obj, tuple) and hasattr(obj, '_fields'):
        # A namedtuple stays one, with its items converted.
        return type(obj)(*[_asdict_inner(v, dict_factory) for v in obj])
    elif isinstance(obj, (list, tuple)):
        return type(obj)(_asdict_inner(v, dict_factory) for v in obj)
    elif isinstance(obj, dict):
        return type(obj)((_asdict_inner(k, dict_factory),
                          _asdict_inner(v, dict_factory))
                         for k, v in obj.items())
    else:
        return copy.deepcopy(obj)


def astuple(obj, *, tuple_factory=tuple):
    """Return the fields of a dataclass instance as a new tuple of field values.

    If given, 'tuple_factory' will be used instead of built-in tuple.
    The function applies recursively to field values that are
    dataclass instances. This will also look into built-in containers:
    tuples, lists, and dicts.
    """
    if not _is_dataclass_instance(obj):
        raise TypeError("astuple() should be called on dataclass instances")
    return _astuple_inner(obj, tuple_factory)


def _astuple_inner(obj, tuple_factory):
    if _is_dataclass_instance(obj):
        result = []
        for f in fields(obj):
            value = _astuple_inner(getattr(obj, f.name), tuple_factory)
            result.append(value)
        return tuple_factory(result)
    elif isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return type(obj)(*[_astuple_inner(v, tuple_factory) for v in obj])
    elif isinstance(obj, (list, tuple)):
        return type(obj)(_astuple_inner(v, tuple_factory) for v in obj)
    elif isinstance(obj, dict):
        return type(obj)((_astuple_inner(k, tuple_factory),
                          _astuple_inner(v, tuple_factory))
                         for k, v in obj.items())
    else:
        return copy.deepcopy(obj)


_KEYWORDS = frozenset([
    'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await',
    'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
    'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is',
    'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
    'while', 'with', 'yield',
])


def make_dataclass(cls_name, fields, *, bases=(), namespace=None, init=True,
                   repr=True, eq=True, order=False, unsafe_hash=False,
                   frozen=False, match_args=True, kw_only=False, slots=False,
                   weakref_slot=False):
    """Return a new dynamically created dataclass.

    The dataclass name will be 'cls_name'.  'fields' is an iterable
    of either (name), (name, type) or (name, type, Field) objects. If type is
    omitted, use the string 'typing.Any'.
    """
    if namespace is None:
        namespace = {}
    seen = set()
    annotations = {}
    defaults = {}
    for item in fields:
        if isinstance(item, str):
            name = item
            tp = 'typing.Any'
        elif len(item) == 2:
            name, tp, = item
        elif len(item) == 3:
            name, tp, spec = item
            defaults[name] = spec
        else:
            raise TypeError(f'Invalid field: {item!r}')
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f'Field names must be valid identifiers: {name!r}')
        if name in _KEYWORDS:
            raise TypeError(f'Field names must not be keywords: {name!r}')
        if name in seen:
            raise TypeError(f'Field name duplicated: {name!r}')
        seen.add(name)
        annotations[name] = tp

    body = dict(namespace)
    body.update(defaults)
    body['__annotations__'] = annotations
    cls = type(cls_name, tuple(bases), body)
    return dataclass(cls, init=init, repr=repr, eq=eq, order=order,
                     unsafe_hash=unsafe_hash, frozen=frozen,
                     match_args=match_args, kw_only=kw_only, slots=slots,
                     weakref_slot=weakref_slot)


def replace(obj, /, **changes):
    """Return a new object replacing specified fields with new values.

    This is especially useful for frozen classes.
    """
    if not _is_dataclass_instance(obj):
        raise TypeError("replace() should be called on dataclass instances")
    for f in getattr(obj, _FIELDS).values():
        if f._field_type is _FIELD_CLASSVAR:
            continue
        if not f.init:
            if f.name in changes:
                raise ValueError(f'field {f.name} is declared with '
                                 'init=False, it cannot be specified with '
                                 'replace()')
            continue
        if f.name not in changes:
            if f._field_type is _FIELD_INITVAR and f.default is MISSING:
                raise ValueError(f"InitVar {f.name!r} "
                                 'must be specified with replace()')
            changes[f.name] = getattr(obj, f.name)
    # A new instance through __init__ (and __post_init__); a name that is
    # not a field is refused there.
    return obj.__class__(**changes)
