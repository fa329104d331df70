"""Sequence losses from torch.nn."""

LOSSES = ()
