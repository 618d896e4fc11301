# 10,000 tasks through a Semaphore(100), gathered.
import asyncio


async def job(sem, n):
    async with sem:
        await asyncio.sleep(0.01)
        return n


async def main():
    sem = asyncio.Semaphore(100)
    results = await asyncio.gather(*(job(sem, n) for n in range(10_000)))
    print(len(results), sum(results), asyncio.get_running_loop().time())


asyncio.run(main())
