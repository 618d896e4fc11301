"""abc: abstract base classes as programs use them: `ABC` and
`abstractmethod` (with the abstract property, classmethod and staticmethod
forms).

CPython builds this on the metaclass ABCMeta (Lib/abc.py, Modules/_abc.c).
Loopscope has no custom metaclasses, so `ABC` does ABCMeta's two jobs
itself: `__init_subclass__` computes `__abstractmethods__` as
`ABCMeta.__new__` does, and `__new__` refuses an abstract class with
CPython 3.11's message (Objects/typeobject.c `object_new`). `ABCMeta`,
`register` and the virtual subclasses it makes are not offered.
"""


def abstractmethod(funcobj):
    """CPython abc.py: marks a method abstract."""
    funcobj.__isabstractmethod__ = True
    return funcobj


def _is_abstract(value):
    # property, classmethod and staticmethod answer for the functions they
    # wrap, as in CPython.
    return bool(getattr(value, "__isabstractmethod__", False))


class ABC:
    """Helper class that provides a standard way to create an ABC using
    inheritance."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # CPython abc.py ABCMeta.__new__ / _abc.c compute_abstract_methods.
        abstracts = {name for name, value in vars(cls).items() if _is_abstract(value)}
        for base in cls.__bases__:
            for name in getattr(base, "__abstractmethods__", ()):
                if _is_abstract(getattr(cls, name, None)):
                    abstracts.add(name)
        cls.__abstractmethods__ = frozenset(abstracts)

    def __new__(cls, *args, **kwargs):
        abstracts = cls.__abstractmethods__
        if abstracts:
            names = sorted(abstracts)
            plural = "s" if len(names) > 1 else ""
            raise TypeError(
                f"Can't instantiate abstract class {cls.__name__} "
                f"with abstract method{plural} {', '.join(names)}"
            )
        return object.__new__(cls)


ABC.__abstractmethods__ = frozenset()
