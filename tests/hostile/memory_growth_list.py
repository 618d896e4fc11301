# Memory taken in small bites, for ever.
# expect: unsupported: line *: the program used more than 512 MB of memory
chunks = []
while True:
    chunks.append([0] * 1000)
