# There is no keyboard in a simulation.
# expect: unsupported: line 3: input(): a simulated program has no keyboard
print(input())
