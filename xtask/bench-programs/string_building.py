# String building: f-strings, join, methods.
parts = []
for i in range(100_000):
    parts.append(f"{i}:{i % 13:02d}")
text = ",".join(parts)
words = text.split(",")
print(len(text), len(words), text.upper().count("1"), words[-1].replace(":", "-"))
