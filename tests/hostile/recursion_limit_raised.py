# A program that raises the recursion limit as far as it can and recurses.
# expect: error: RecursionError: maximum recursion depth exceeded
import sys

sys.setrecursionlimit(10**6)


def f(n):
    return f(n + 1)


f(0)
