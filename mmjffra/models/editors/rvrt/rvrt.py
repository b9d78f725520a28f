# Copyright (c) mmjffra contributors. All rights reserved.
from typing import Optional

import torch
from mmagic.models.editors.basicvsr import BasicVSR
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from torch import Tensor

from mmjffra.models.inference import ClipRestorer, parse_test_cfg
from mmjffra.models.utils import append_noise_map
from .official_keys import (check_released_weights, is_official_rvrt,
                            official_to_mmjffra)


def load_released_weights(module, state_dict: dict, prefix: str,
                          *args) -> None:
    """Load-state-dict pre-hook of :class:`RVRT`: a released RVRT file
    (``{'params': ...}``, as MMEngine's runner passes it on from
    ``load_from``/``tools/test.py``) becomes this model's state dict: the
    generator's weights through the key map of :mod:`.official_keys`,
    checked strictly (a mismatch names the keys), and the model's own
    ``step_counter``."""
    params = state_dict.get(prefix + 'params')
    if not isinstance(params, dict) or not is_official_rvrt(params):
        return
    weights = official_to_mmjffra(params)
    check_released_weights(module.generator, weights)
    del state_dict[prefix + 'params']
    for key, value in weights.items():
        state_dict[f'{prefix}generator.{key}'] = value
    state_dict[prefix + 'step_counter'] = module.step_counter.clone()


@MODELS.register_module()
class RVRT(BasicVSR):
    """RVRT model (wrapper of :class:`RVRTNet`) on MMagic's BasicVSR wrapper.

    Training and testing are BasicVSR's (whole clips in, every frame
    supervised; Vimeo-90K-T mirror-extended inputs averaged; centre frame for
    single-frame GT), with three differences:

    - The flow estimator inside the generator stays frozen: BasicVSR's
      ``fix_iter`` (which turns gradients of SPyNet/EDVR back on) is not
      applied, so an estimator never joins the optimiser or DDP.
    - Non-blind denoising nets (``with_noise_map``) get the noise-level map
      from the ``noise_sigma`` metainfo (as JFFRA).
    - Released RVRT files (``{'params': ...}``, with a
      ``configs/rvrt/rvrt_official-*`` config) load as they are, through
      MMEngine (``load_from``, ``tools/test.py``) as through
      ``tools/restore_video.py``.
    - ``test_cfg=dict(chunk=t, chunk_overlap=k, tile=(h, w),
      tile_overlap=o)`` (the vocabulary of
      :mod:`mmjffra.models.inference.test_options`) restores long or large
      videos in temporal chunks of ``t`` frames with ``k`` context frames
      on each side (their outputs are discarded; the official test script
      averages them instead) and spatial tiles of ``h x w`` blended over
      ``o`` pixels, bounding memory, through the project's one inference
      path (:class:`mmjffra.models.inference.ClipRestorer`). Training always
      runs on whole clips.

    Args:
        generator (dict): Generator config (``RVRTNet``).
        pixel_loss (dict): Pixel loss config.
        train_cfg (dict, optional): Ignored: BasicVSR's ``fix_iter`` does not
            apply (the flow estimator stays frozen). Kept so that configs
            written for MMagic's BasicVSR build.
        test_cfg (dict, optional): ``chunk``, ``chunk_overlap``, ``tile``
            and ``tile_overlap`` (defaults: None, 2, None, 20).
        init_cfg (dict, optional): Initialisation config.
        data_preprocessor (dict, optional): Data preprocessor config.
    """

    #: The ``model.test_cfg`` keys this model reads (a config giving others
    #: is refused by :func:`mmjffra.models.inference.check_test_cfg`).
    test_cfg_keys = ('chunk', 'chunk_overlap', 'tile', 'tile_overlap')

    def __init__(self,
                 generator,
                 pixel_loss,
                 train_cfg=None,
                 test_cfg=None,
                 init_cfg=None,
                 data_preprocessor=None):
        super().__init__(
            generator=generator,
            pixel_loss=pixel_loss,
            train_cfg=None,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        self.test_options = parse_test_cfg(
            test_cfg, self.test_cfg_keys, chunk_overlap=2, tile_overlap=20)
        self.register_load_state_dict_pre_hook(load_released_weights)

    def forward_train(self,
                      inputs: Tensor,
                      data_samples: Optional[DataSample] = None,
                      **kwargs) -> dict:
        """Pixel loss on every frame of the clip."""
        outputs = self.forward_tensor(inputs, data_samples, **kwargs)
        loss = self.pixel_loss(outputs, data_samples.gt_img)
        self.step_counter += 1
        return dict(loss=loss)

    def forward_tensor(self,
                       inputs: Tensor,
                       data_samples: Optional[DataSample] = None,
                       **kwargs) -> Tensor:
        """Restore ``inputs`` (n, t, c, h, w), tiled at test time if set."""
        inputs = append_noise_map(self.generator, inputs, data_samples)
        if self.training or not (self.test_options['chunk']
                                 or self.test_options['tile']):
            return self.generator(inputs, **kwargs)
        with torch.no_grad():
            return self.clip_restorer().restore(inputs)

    def clip_restorer(self, lqs: Optional[Tensor] = None) -> ClipRestorer:
        """The inference path configured by ``test_cfg`` (``lqs``: unused,
        as JFFRA's ``clip_restorer(lqs)`` is called)."""
        return ClipRestorer(self.generator, **self.test_options)
