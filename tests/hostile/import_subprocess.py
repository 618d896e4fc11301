# No processes.
# expect: unsupported: line 3: module 'subprocess': the simulated world has no files, processes or sockets
import subprocess

subprocess.run(["ls"])
