# exec/eval of code are not offered at all.
# expect: unsupported: line 3: exec()
exec("import os")
