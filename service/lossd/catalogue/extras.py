"""Losses users ask for that torch.nn does not ship."""

LOSSES = ()
