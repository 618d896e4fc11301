# A CPU-bound loop: arithmetic, calls and attribute access, no awaiting.
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm1(self):
        return abs(self.x) + abs(self.y)


def work(n):
    total = 0
    for i in range(n):
        p = Point(i % 7 - 3, i % 5 - 2)
        total += p.norm1() * (i & 3)
    return total


print(work(300_000))
