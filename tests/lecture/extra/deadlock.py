# A deadlock: each task holds one lock and waits for the other's; nothing is ready and no timer is set.
import asyncio


async def worker(name, first, second):
    async with first:
        print(f"{name}: took its first lock")
        await asyncio.sleep(0.1)
        print(f"{name}: waits for the second lock")
        async with second:
            print(f"{name}: never gets here")


async def main():
    a = asyncio.Lock()
    b = asyncio.Lock()
    await asyncio.gather(worker("left", a, b), worker("right", b, a))


asyncio.run(main())
