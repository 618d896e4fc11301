# Ten billion characters in one string.
# expect: error: MemoryError
print("a" * 10**10)
