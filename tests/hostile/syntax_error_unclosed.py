# A syntax error: an unclosed parenthesis.
# expect: error: SyntaxError: '(' was never closed
def f(:
    pass
