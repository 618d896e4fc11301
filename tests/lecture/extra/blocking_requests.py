# Blocking `requests` in coroutines: each call freezes the whole loop, so three 1-second downloads take 3 s.
import asyncio
import requests


async def fetch(name):
    loop = asyncio.get_running_loop()
    print(f"{name}: start at {loop.time():.1f}")
    response = requests.get("https://httpbin.org/delay/1")
    print(f"{name}: {response.status_code} at {loop.time():.1f}")


async def main():
    await asyncio.gather(fetch("A"), fetch("B"), fetch("C"))
    print(f"done at {asyncio.get_running_loop().time():.1f}")


asyncio.run(main())
