# __import__ is the same door as import.
# expect: unsupported: line 3: module 'os': the simulated world has no files, processes or sockets
__import__("os").system("ls")
