# A dict that grows for ever.
# expect: unsupported: line *: the program used more than 512 MB of memory
d = {}
i = 0
while True:
    d[i] = str(i) * 100
    i += 1
