# Loops over range with integer and float arithmetic.
total = 0
acc = 0.0
for i in range(1_000_000):
    total += i * i % 7
    acc += i / 3
print(total, round(acc, 3))
