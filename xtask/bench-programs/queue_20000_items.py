# 20,000 queue items through 50 workers.
import asyncio


async def worker(queue, done):
    while True:
        item = await queue.get()
        await asyncio.sleep(0.001)
        done.append(item)
        queue.task_done()


async def main():
    queue = asyncio.Queue()
    done = []
    workers = [asyncio.create_task(worker(queue, done)) for _ in range(50)]
    for item in range(20_000):
        queue.put_nowait(item)
    await queue.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    print(len(done), asyncio.get_running_loop().time())


asyncio.run(main())
