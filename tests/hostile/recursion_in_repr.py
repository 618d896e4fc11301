# __repr__ that calls itself.
# expect: error: RecursionError: maximum recursion depth exceeded
class Loop:
    def __repr__(self):
        return repr(self)


print(Loop())
