# globals() gives a copy of the module's names: reading it is exact, a copy
# of it is an ordinary dict, and changing it ends the run as unsupported
# (the program expects its variable to change; it would not).
# expect: unsupported: line 11: changing variables through globals()
x = 1
g = globals()
print(g["x"])
d = dict(g)
d["x"] = 2
print(d["x"], x)
g["x"] = 5
print(x)
