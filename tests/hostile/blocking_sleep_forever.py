# time.sleep in an endless loop: the virtual clock reaches its limit.
# expect: time-limit
import time

while True:
    time.sleep(1)
