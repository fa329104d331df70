"""Classification, margin, embedding and sequence losses from torch.nn."""

LOSSES = ()
