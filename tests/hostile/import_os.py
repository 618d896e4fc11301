# The simulated world has no operating system.
# expect: unsupported: line 3: module 'os': the simulated world has no files, processes or sockets
import os

print(os.listdir("/"))
