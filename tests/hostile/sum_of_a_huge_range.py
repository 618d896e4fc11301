# A native loop over a trillion numbers: sum() counts its items against the step budget.
# expect: hang
print(sum(range(10**12)))
