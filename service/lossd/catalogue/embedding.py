"""Embedding losses from torch.nn."""

LOSSES = ()
