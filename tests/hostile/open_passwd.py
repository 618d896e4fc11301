# No files.
# expect: unsupported: line 3: open(): the simulated world has no files
print(open("/etc/passwd").read())
