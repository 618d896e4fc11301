# An endless loop that never yields: the step budget ends it.
# expect: hang
while True:
    pass
