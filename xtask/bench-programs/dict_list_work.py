# Dict and list work: counting, sorting, comprehensions.
counts = {}
for i in range(200_000):
    key = f"k{i % 1000}"
    counts[key] = counts.get(key, 0) + 1
items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
squares = [x * x for x in range(200_000) if x % 3 == 0]
nested = {i: [j for j in range(i % 10)] for i in range(20_000)}
print(len(items), items[0], sum(squares) % 1_000_007, sum(len(v) for v in nested.values()))
