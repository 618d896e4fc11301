# A string doubled until memory runs out.
# expect: error: MemoryError
s = "x"
while True:
    s = s + s
