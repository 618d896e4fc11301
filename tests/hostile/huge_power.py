# An integer of a hundred million digits.
# expect: error: MemoryError
x = 10 ** 10 ** 8
print("done")
