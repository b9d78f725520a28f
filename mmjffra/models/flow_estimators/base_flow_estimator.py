# Copyright (c) mmjffra contributors. All rights reserved.
"""Frozen optical-flow estimators shared by the JFFRA and RVRT networks."""
import os.path as osp
from typing import Optional

import torch
from mmengine.logging import MMLogger
from mmengine.runner import load_checkpoint
from torch import Tensor, nn


class BaseFlowEstimator(nn.Module):
    """Base class of the frozen, pluggable flow estimators.

    Flow convention (the one of :func:`mmagic.models.utils.flow_warp` and of
    MMagic's SPyNet): ``flow = estimator(ref, supp)`` has shape (n, 2, h, w),
    channel 0 horizontal and channel 1 vertical displacement in pixels, such
    that ``flow_warp(supp, flow.permute(0, 2, 3, 1))`` is aligned with
    ``ref``, i.e. ``ref[y, x] ~ supp[y + flow_y, x + flow_x]``.

    An estimator is always frozen: its parameters do not require gradients,
    it stays in eval mode whatever ``train()`` is called with, and it runs
    under ``torch.no_grad()``.

    It always estimates in float32 (inputs of any dtype are cast), so that
    flows keep their sub-pixel precision (half precision has 0.5 px steps
    beyond 1024) and estimators that cannot run in half still run
    (torchvision's RAFT builds its coordinate grids in float32). A network
    converted with ``.half()`` converts its estimator too: call
    :func:`flow_estimators_to_float32` on it afterwards (``VideoRestorer``
    and the benchmark do). Mixed precision (``autocast``, ``--amp``) needs
    nothing: the weights stay float32.

    A learned estimator (RAFT, SPyNet) needs its weights: random weights
    give noise flows (and, in JFFRA's temporal loss, a noise occlusion mask)
    for a whole training run without any visible failure. So ``pretrained``
    None is refused at build time with a message naming where the weights
    are and which key to set; ``pretrained='random'`` says that random
    weights are intended (tests, benchmarks, training the estimator away).

    Args:
        pretrained (str, optional): Path of a local checkpoint to load, or
            'random'. Default: None (refused by learned estimators).
    """

    #: False for estimators without weights (DIS)
    learned = True
    #: where the weights of a learned estimator can be downloaded
    weights_url = ''

    def __init__(self, pretrained: Optional[str] = None) -> None:
        super().__init__()
        if self.learned and pretrained is None:
            raise ValueError(
                f'{type(self).__name__}: no weights given (pretrained=None); '
                'random weights would give noise flows. Download '
                f'{self.weights_url} and set `pretrained` to the local file '
                '(in a config: model.generator.flow_estimator.pretrained, '
                'and model.temporal_loss.flow_estimator.pretrained for '
                "JFFRA's temporal loss), or set pretrained='random' if "
                'random weights are intended')
        self.pretrained = pretrained

    @property
    def random_weights(self) -> bool:
        return self.pretrained == 'random'

    def freeze(self) -> None:
        """Turn off gradients and put the estimator in eval mode."""
        for param in self.parameters():
            param.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> 'BaseFlowEstimator':
        """Stay in eval mode: the estimator is never trained.

        Args:
            mode (bool): Ignored.

        Returns:
            BaseFlowEstimator: self.
        """
        return super().train(False)

    def load_local_weights(self, module: nn.Module, path: str) -> None:
        """Load a local checkpoint into ``module`` with MMEngine.

        Args:
            module (nn.Module): Module receiving the weights.
            path (str): Path of the checkpoint file.
        """
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{type(self).__name__}: pretrained checkpoint {path!r} does '
                'not exist (weights are never downloaded implicitly; pass a '
                'local file or None)')
        logger = MMLogger.get_current_instance()
        try:
            load_checkpoint(
                module, path, map_location='cpu', strict=True, logger=logger)
        except Exception as err:
            raise ValueError(f'{type(self).__name__}: cannot load '
                             f'pretrained checkpoint {path!r}: {err}') from err

    @staticmethod
    def check_inputs(ref: Tensor, supp: Tensor) -> None:
        """Check that ``ref`` and ``supp`` are matching (n, c, h, w) images."""
        if ref.dim() != 4 or ref.shape != supp.shape:
            raise ValueError('flow estimators take two (n, c, h, w) images of '
                             f'the same shape, got {tuple(ref.shape)} and '
                             f'{tuple(supp.shape)}')
        if ref.size(1) not in (1, 3):
            raise ValueError('flow estimators take 1- or 3-channel images, '
                             f'got shape {tuple(ref.shape)}')

    def compute_flow(self, ref: Tensor, supp: Tensor) -> Tensor:
        """Estimate the flow; implemented by subclasses.

        Args:
            ref (Tensor): Reference images (n, c, h, w) in [0, 1].
            supp (Tensor): Supporting images (n, c, h, w) in [0, 1].

        Returns:
            Tensor: Flow of shape (n, 2, h, w).
        """
        raise NotImplementedError

    @torch.no_grad()
    def forward(self, ref: Tensor, supp: Tensor) -> Tensor:
        """Estimate the flow from ``ref`` to ``supp`` without gradients.

        Args:
            ref (Tensor): Reference images (n, c, h, w) in [0, 1], c = 1 or 3.
            supp (Tensor): Supporting images (n, c, h, w) in [0, 1].

        Inputs of any floating dtype are estimated in float32.

        Returns:
            Tensor: Flow of shape (n, 2, h, w), float32 on ``ref``'s device.
        """
        self.check_inputs(ref, supp)
        return self.compute_flow(ref.float(), supp.float())


def flow_estimators_to_float32(model: nn.Module) -> nn.Module:
    """Put the flow estimators of ``model`` back to float32 (after .half()).

    Args:
        model (nn.Module): A network, e.g. converted with ``model.half()``.

    Returns:
        nn.Module: ``model``, its :class:`BaseFlowEstimator` modules float32.
    """
    for module in model.modules():
        if isinstance(module, BaseFlowEstimator):
            module.float()
    return model


def random_weights_for_learned_estimators(cfg) -> None:
    """Set ``pretrained='random'`` on every learned flow estimator in a
    config (in place): where the weights come from elsewhere (a checkpoint
    that holds them) or do not matter (timings)."""
    if isinstance(cfg, dict):
        from mmagic.registry import MODELS
        cls = MODELS.get(cfg['type']) if isinstance(cfg.get('type'),
                                                    str) else None
        if isinstance(cls, type) and issubclass(cls, BaseFlowEstimator) \
                and cls.learned:
            cfg['pretrained'] = 'random'
        for value in cfg.values():
            random_weights_for_learned_estimators(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            random_weights_for_learned_estimators(value)
