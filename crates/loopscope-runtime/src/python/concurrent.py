"""The concurrent package: only concurrent.futures exists in the simulated world."""
