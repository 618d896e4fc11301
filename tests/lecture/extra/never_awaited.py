# A coroutine called without await never runs: calling it only makes a coroutine object.
import asyncio


async def greet(name):
    await asyncio.sleep(1)
    print(f"hello, {name}")


async def main():
    greet("forgotten")  # RuntimeWarning: coroutine 'greet' was never awaited
    await greet("awaited")
    print("done")


asyncio.run(main())
