"""The app's shared pool: made once, warmed in the background, its workers are other processes."""

import os

from estate.pool import SharedPool


def test_a_shared_pool_is_made_once_and_warms_in_the_background():
    shared = SharedPool(workers=1)
    shared.warm(delay=0.0)
    shared.warm(delay=0.0)                  # a second call starts nothing more
    shared._warming.join(timeout=60)
    assert not shared._warming.is_alive()
    pool = shared.get()
    assert shared.get() is pool
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    pool.shutdown()
