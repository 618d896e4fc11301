# Printing an int past CPython's limit on int/str conversion digits.
# expect: error: ValueError: Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit
print(10 ** 5000)
