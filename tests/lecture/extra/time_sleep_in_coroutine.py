# time.sleep in a coroutine blocks the loop: the ticker cannot tick until the sleeper gives the loop a turn.
import asyncio
import time


async def ticker():
    for i in range(3):
        print(f"tick {i} at {asyncio.get_running_loop().time():.1f}")
        await asyncio.sleep(0.5)


async def sleeper():
    print("sleeper: time.sleep(2) blocks everyone")
    time.sleep(2)
    print("sleeper: awake")


async def main():
    await asyncio.gather(ticker(), sleeper())


asyncio.run(main())
