# Output without end.
# expect: unsupported: line 4: the program printed more than 4 MB of output
while True:
    print("spam" * 100)
