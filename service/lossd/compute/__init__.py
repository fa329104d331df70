"""The compute side: devices, the engine that runs one computation, and the pool that schedules them."""
