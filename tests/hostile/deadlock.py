# Two tasks each waiting on the other's lock: a deadlock.
# expect: idle-forever
import asyncio


async def grab(first, second):
    async with first:
        await asyncio.sleep(0.1)
        async with second:
            pass


async def main():
    a, b = asyncio.Lock(), asyncio.Lock()
    await asyncio.gather(grab(a, b), grab(b, a))


asyncio.run(main())
