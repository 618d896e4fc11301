"""asyncio for the simulated world: CPython 3.11's event loop, futures,
tasks and their tools, written for Loopscope and run by its interpreter."""

from asyncio.exceptions import *
from asyncio.coroutines import *
from asyncio.events import *
from asyncio.futures import *
from asyncio.tasks import *
from asyncio.locks import *
from asyncio.queues import *
from asyncio.timeouts import *
from asyncio.taskgroups import *
from asyncio.runners import *
from asyncio.threads import *
import asyncio.exceptions as exceptions
import asyncio.events as events
import asyncio.futures as futures
import asyncio.tasks as tasks
import asyncio.locks as locks
import asyncio.queues as queues
import asyncio.timeouts as timeouts
import asyncio.taskgroups as taskgroups
import asyncio.runners as runners
import asyncio.coroutines as coroutines
