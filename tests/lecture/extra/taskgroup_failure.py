# A TaskGroup failure: one child raises, the group cancels its sibling and raises an ExceptionGroup.
import asyncio


async def slow():
    try:
        await asyncio.sleep(5)
        print("slow: finished")
    except asyncio.CancelledError:
        print("slow: cancelled by the group")
        raise


async def broken():
    await asyncio.sleep(1)
    raise ValueError("broken")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(slow())
            tg.create_task(broken())
    except* ValueError as group:
        print(f"caught: {group.exceptions!r}")
    print(f"done at {asyncio.get_running_loop().time():.1f}")


asyncio.run(main())
