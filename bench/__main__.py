"""``python -m bench``: the whole benchmark, one table (see bench/run.py)."""
from bench.run import main

main()
