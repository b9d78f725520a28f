# Copyright (c) mmjffra contributors. All rights reserved.
"""Layers the JFFRA and RVRT networks share (as MMagic's ``models/archs``):
attention windows and additive attention masks."""
from .attention_mask import MASK_VALUE, additive_mask
from .windows import window_partition, window_reverse

__all__ = ['MASK_VALUE', 'additive_mask', 'window_partition', 'window_reverse']
