# A million sleeps gathered at once.
# expect: unsupported: line *: the program used more than 512 MB of memory
import asyncio


async def main():
    await asyncio.gather(*[asyncio.sleep(1) for _ in range(10**6)])


asyncio.run(main())
