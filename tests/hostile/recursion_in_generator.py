# yield from a generator that delegates to itself, forever.
# expect: error: RecursionError: maximum recursion depth exceeded
def g():
    yield from g()


list(g())
