# An indentation error.
# expect: error: IndentationError: expected an indented block after 'if' statement on line 3
if True:
print(1)
