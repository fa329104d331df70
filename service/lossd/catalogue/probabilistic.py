"""Probabilistic losses from torch.nn."""

LOSSES = ()
