# The same three 1-second downloads with aiohttp: the loop runs the others while one waits, so they take 1 s.
import aiohttp
import asyncio


async def fetch(session, name):
    loop = asyncio.get_running_loop()
    print(f"{name}: start at {loop.time():.1f}")
    async with session.get("https://httpbin.org/delay/1") as response:
        print(f"{name}: {response.status} at {loop.time():.1f}")


async def main():
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(
            fetch(session, "A"), fetch(session, "B"), fetch(session, "C")
        )
    print(f"done at {asyncio.get_running_loop().time():.1f}")


asyncio.run(main())
