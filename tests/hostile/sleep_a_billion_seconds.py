# A sleep far past the time limit.
# expect: time-limit
import asyncio


async def main():
    await asyncio.sleep(1e9)


asyncio.run(main())
