# Unbounded recursion in a function.
# expect: error: RecursionError: maximum recursion depth exceeded
def f():
    return f()


f()
