# No sockets.
# expect: unsupported: line 3: module 'socket': the simulated world has no files, processes or sockets
import socket
