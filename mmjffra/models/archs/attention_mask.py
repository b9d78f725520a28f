# Copyright (c) mmjffra contributors. All rights reserved.
"""The masking convention of both models' window attentions.

Masks are *additive*: 0 where a query may attend to a key, ``MASK_VALUE``
where it may not, added to the logits (``attn_mask`` of
``scaled_dot_product_attention``, on top of a relative position bias where
there is one). ``MASK_VALUE`` is finite (not -inf) so that a query whose
keys are all masked (a padded token in a shifted window) gives a uniform row
instead of NaN; ``exp(-1e4)`` is 0 in float32 and float16, so real queries
ignore masked keys exactly as with -inf.
"""
from torch import Tensor

MASK_VALUE = -1e4


def additive_mask(masked: Tensor, dtype=None) -> Tensor:
    """Boolean ``masked`` (True: may not attend) -> additive mask."""
    mask = masked.new_zeros(masked.shape, dtype=dtype)
    return mask.masked_fill(masked, MASK_VALUE)
