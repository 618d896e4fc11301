# eval of code is not offered.
# expect: unsupported: line 3: eval()
eval("__import__('os')")
