# A million sleeps gathered at once.
# expect: unsupported: line *: the program created more than 20000 tasks
import asyncio


async def main():
    await asyncio.gather(*[asyncio.sleep(1) for _ in range(10**6)])


asyncio.run(main())
