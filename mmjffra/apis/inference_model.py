# Copyright (c) mmjffra contributors. All rights reserved.
"""A model for inference from a config and a checkpoint.

The config is read by MMEngine, the model built by MMagic's registry
without downloading any weights, and the generator's weights loaded
strictly from the checkpoint by MMEngine's loader: of any of our configs'
trainings, MMagic's released weights, or a format an editor registered
(:mod:`mmjffra.models.utils.checkpoint_formats`: the released RVRT files).
"""
import os.path as osp
from typing import Dict

from mmagic.registry import MODELS
from mmengine.config import Config
from torch import nn

from mmjffra.errors import CheckpointMismatchError, ConfigError
from mmjffra.models.flow_estimators import \
    random_weights_for_learned_estimators
from mmjffra.models.utils.checkpoint_formats import (state_dict_mismatch,
                                                     to_generator_weights)
from mmjffra.utils.config_checks import BUILD_ERRORS, build_error_line

CONFIG_EXTS = ('.py', '.json', '.yaml', '.yml')
SWAPPED = 'the config comes before the checkpoint'


def load_config(config: str) -> Config:
    """Read a config file, refusing what is not one (e.g. a config and a
    checkpoint given in the wrong order).

    Args:
        config (str): Path of a .py/.json/.yaml config.

    Returns:
        Config: The config.

    Raises:
        FileNotFoundError: It does not exist.
        ConfigError: Not a .py/.json/.yaml file, or it cannot be read.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config {config!r} does not exist')
    if not config.lower().endswith(CONFIG_EXTS):
        raise ConfigError(f'config {config!r} is not a config file '
                          f'({", ".join(CONFIG_EXTS)}): {SWAPPED}')
    try:
        return Config.fromfile(config)
    except Exception as err:  # the user's file: its error in one line
        raise ConfigError(f'cannot read config {config!r}: '
                          f'{type(err).__name__}: '
                          f'{" ".join(str(err).split())}') from err


def check_checkpoint_file(checkpoint: str) -> None:
    """Refuse a local checkpoint that is missing or clearly not one (a
    config, a text file) before a model is built.

    Args:
        checkpoint (str): Local path or URL (URLs are not checked).

    Raises:
        FileNotFoundError: It does not exist.
        CheckpointMismatchError: It is not a PyTorch checkpoint.
    """
    if '://' in checkpoint:
        return
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint!r} does not exist')
    if checkpoint.lower().endswith(CONFIG_EXTS):
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint!r} is a config file: {SWAPPED}')
    with open(checkpoint, 'rb') as f:
        head = f.read(9)
    # torch.save writes a zip archive, or a pickle (protocol 2+: 0x80);
    # safetensors an 8-byte header length, then its JSON header
    if checkpoint.lower().endswith('.safetensors'):
        if head[8:9] != b'{':
            raise CheckpointMismatchError(
                f'cannot read checkpoint {checkpoint!r}: it is not a '
                'safetensors file')
    elif not head.startswith((b'PK\x03\x04', b'\x80')):
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint!r}: it is not a PyTorch '
            'checkpoint (a file written by torch.save)')


def build_inference_model(config: Config) -> nn.Module:
    """The model of ``config`` in eval mode, its weights still random.

    Nothing is downloaded: every pre-trained weight reference of the
    generator (``init_cfg``, ``pretrained``, ``spynet_pretrained``, ...) is
    dropped and learned flow estimators start random (their weights come
    from the checkpoint, whose strict load checks it); training-only parts
    (the temporal loss and its flow estimator) are left out.

    Args:
        config (Config): A model config (``config.model``).

    Returns:
        nn.Module: The model wrapper, e.g. a ``JFFRA`` or MMagic's
        ``BasicVSR``.

    Raises:
        ConfigError: A module of the config cannot be built (an unknown
            ``type``, argument or value), in one line.
    """
    model_cfg = config.model.copy()
    generator_cfg = model_cfg.generator
    for key in list(generator_cfg):
        if key == 'init_cfg' or key.endswith('pretrained'):
            generator_cfg[key] = None
    random_weights_for_learned_estimators(generator_cfg)
    model_cfg.pop('temporal_loss', None)
    try:
        return MODELS.build(model_cfg).eval()
    except BUILD_ERRORS as err:  # a misspelt type or argument
        raise ConfigError(f'cannot build the model of the config: '
                          f'{build_error_line(err)}') from err


def generator_state_dict(state: Dict) -> Dict:
    """The generator's weights of a checkpoint's state dict.

    Takes the ``generator.`` entries of a model checkpoint (ours, or
    MMagic's released weights; DDP's ``module.`` prefix dropped), leaving
    out the losses' modules and the wrapper's buffers; a bare generator
    state dict is taken as it is.

    Args:
        state (dict): A checkpoint's state dict.

    Returns:
        dict: The generator's state dict.
    """
    state = {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in state.items()
    }
    if any(k.startswith('generator.') for k in state):
        return {
            k[len('generator.'):]: v
            for k, v in state.items() if k.startswith('generator.')
        }
    return state


def load_generator_checkpoint(generator: nn.Module,
                              checkpoint: str,
                              config_name: str = 'the config') -> None:
    """Load the generator's weights of a checkpoint, strictly.

    The file is read by MMEngine's ``CheckpointLoader`` (local paths, URLs
    and every backend MMEngine knows) and loaded by MMEngine's
    ``load_state_dict``; this function only picks the generator's entries.

    Args:
        generator (nn.Module): The network to load into.
        checkpoint (str): Local path or URL.
        config_name (str): The config, as the error names it.
            Default: 'the config'.

    Raises:
        FileNotFoundError: A local checkpoint that does not exist.
        CheckpointMismatchError: An unreadable checkpoint, or one whose
            keys differ from the generator's (one line: the config, the
            checkpoint and the first missing/unexpected keys).
    """
    from mmengine.runner.checkpoint import CheckpointLoader, load_state_dict
    check_checkpoint_file(checkpoint)
    try:
        ckpt = CheckpointLoader.load_checkpoint(
            checkpoint, map_location='cpu', logger='silent')
    except Exception as err:
        from mmjffra.utils import load_failure
        raise CheckpointMismatchError(
            f'cannot read checkpoint {checkpoint!r}: {load_failure(err)}'
        ) from err
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not state:
        raise CheckpointMismatchError(f'{checkpoint!r} holds no state_dict')
    state = generator_state_dict(to_generator_weights(state))
    mismatch = state_dict_mismatch(generator, state)
    if mismatch:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint!r} does not match the model of '
            f'{config_name}: {mismatch}')
    load_state_dict(generator, state, strict=True, logger='silent')
