# A list of a trillion items.
# expect: error: MemoryError
x = [0] * 10**12
