# Tasks created without end.
# expect: unsupported: line *: the program created more than 20000 tasks
import asyncio


async def nap():
    await asyncio.sleep(1)


async def main():
    while True:
        asyncio.create_task(nap())
        await asyncio.sleep(0)


asyncio.run(main())
