"""`make bench`: our pipeline's speed and memory, measured next to the plain libraries.

Figures, not assertions: each benchmark prints a table in which our step and the bare
library call on the same data sit side by side, measured in one run, so the ratio
between them survives a noisy machine better than any absolute time would.
"""
