# Unbounded recursion through await.
# expect: error: RecursionError: maximum recursion depth exceeded
import asyncio


async def f():
    await f()


asyncio.run(f())
