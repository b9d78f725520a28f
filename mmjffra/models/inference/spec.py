# Copyright (c) mmjffra contributors. All rights reserved.
"""What a video network declares to inference, and its windows' frames.

A network tells inference what it needs through an :class:`InferenceSpec`:
whether it restores the centre frame of a window of frames or a whole
sequence (recurrent, RVRT), its scale, the spatial multiple tiles must
respect, and whether its initial flows can be computed on the whole frame
and cropped with the tiles. Our networks declare it themselves (an
``inference_spec`` property); MMagic's get theirs from
:data:`MMAGIC_ADAPTERS`, the one adapter table (which also names the
``test_cfg`` keys MMagic's wrappers read). Everything else --
windows, chunks, tiles -- is built from the declaration by
:class:`~mmjffra.models.inference.clip_restorer.ClipRestorer`, used by the
model wrappers' test modes and by :class:`mmjffra.apis.VideoRestorer`
alike.
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence, Tuple, Union

from torch import nn

PADDINGS = ('reflection', 'replicate')


def check_padding(padding: str) -> None:
    """Refuse a temporal padding that :func:`window_indices` does not know.

    Raises:
        ValueError: ``padding`` is not one of :data:`PADDINGS`.
    """
    if padding not in PADDINGS:
        raise ValueError(f'padding must be one of {PADDINGS}, got '
                         f'{padding!r}')


def check_tile(tile: Union[int, Sequence[int]],
               tile_overlap: Union[int, Sequence[int]],
               multiple: int = 1) -> None:
    """Refuse spatial tiles that cannot cover a frame.

    The one tile check of the package: tiles must overlap by less than
    their side, and step (side minus overlap) by at least ``multiple``
    pixels, so that their starts can lie on the network's spatial grid.

    Args:
        tile (int | Sequence[int]): Tile side, or (h, w), in input pixels.
        tile_overlap (int | Sequence[int]): Overlap, or (h, w), in pixels.
        multiple (int): The network's spatial multiple. Default: 1.

    Raises:
        ValueError: Naming ``tile`` and ``tile_overlap`` and the bound.
    """
    sides = (tile, tile) if isinstance(tile, int) else tuple(tile)
    overlaps = (tile_overlap, tile_overlap) if isinstance(
        tile_overlap, int) else tuple(tile_overlap)
    for side, overlap in zip(sides, overlaps):
        if overlap >= side:
            raise ValueError(f'tile_overlap ({tile_overlap}) must be '
                             f'smaller than the tile ({tile})')
        if side - overlap < multiple:
            raise ValueError(
                f'tile - tile_overlap must be at least {multiple} (the '
                f'spatial multiple of this network), got tile={tile}, '
                f'tile_overlap={tile_overlap}')


@dataclass(frozen=True)
class InferenceSpec:
    """What inference needs to know about a network.

    Attributes:
        temporal (str): ``'window'``: the network restores the centre frame
            of ``num_frames`` frames (JFFRA, EDVR); ``'sequence'``: it
            restores every frame of a clip of any length (BasicVSR,
            BasicVSR++, IconVSR, RVRT).
        scale (int): Output size / input size.
        num_frames (int): Frames of a window (``'window'`` only), odd.
        spatial_multiple (int): Tile starts are multiples of it (keeps
            strided levels and attention windows on the same grid as the
            whole frame). Default: 1.
        min_size (int): Smallest input side the network takes. Default: 1.
        input_multiple (int): The network only takes sizes that are
            multiples of it: inputs are padded (edge pixels repeated) and
            outputs cropped back. Default: 1.
        whole_frame_flows (bool): The network has ``compute_flows(lqs)`` and
            ``forward(lqs, flows=...)``: tiles then use flows computed on
            the whole frame. Default: False.
    """
    temporal: str
    scale: int
    num_frames: int = 1
    spatial_multiple: int = 1
    min_size: int = 1
    input_multiple: int = 1
    whole_frame_flows: bool = False

    def __post_init__(self):
        if self.temporal not in ('window', 'sequence'):
            raise ValueError(f'temporal must be window or sequence, got '
                             f'{self.temporal!r}')
        if self.temporal == 'window' and self.num_frames % 2 == 0:
            raise ValueError(f'a window has an odd number of frames, got '
                             f'{self.num_frames}')

    @property
    def radius(self) -> int:
        """int: Neighbours on each side of a window's centre (0 for
        sequence networks)."""
        return self.num_frames // 2 if self.temporal == 'window' else 0


def _edvr(gen: nn.Module) -> InferenceSpec:
    # two x2 pixel shuffles; a 3-level pyramid of stride-2 convs (MMagic
    # asserts sizes that are multiples of 4)
    return InferenceSpec(
        'window',
        4,
        num_frames=2 * gen.center_frame_idx + 1,
        spatial_multiple=4,
        input_multiple=4)


def _basicvsr_pp(gen: nn.Module) -> InferenceSpec:
    # MMagic asserts inputs of at least 64 px (SPyNet's pyramid)
    return InferenceSpec(
        'sequence',
        4 if gen.is_low_res_input else 1,
        spatial_multiple=4,
        min_size=64)


@dataclass(frozen=True)
class MMagicAdapter:
    """What the package needs to know of one of MMagic's networks.

    Attributes:
        wrapper (str): The MMagic model wrapper the network is used with.
        spec (callable): ``generator -> InferenceSpec``.
        test_cfg_keys (tuple[str]): The ``model.test_cfg`` keys read for
            the wrapper (``max_windows_per_forward`` is read by
            :class:`mmjffra.apis.VideoRestorer` for every window network).
    """
    wrapper: str
    spec: Callable[[nn.Module], InferenceSpec]
    test_cfg_keys: Tuple[str, ...] = ()


def _basicvsr(gen: nn.Module) -> InferenceSpec:
    return InferenceSpec('sequence', 4, spatial_multiple=4)


#: MMagic network class name -> its adapter (the one adapter table).
MMAGIC_ADAPTERS: Dict[str, MMagicAdapter] = {
    'BasicVSRNet': MMagicAdapter('BasicVSR', _basicvsr),
    'IconVSRNet': MMagicAdapter('BasicVSR', _basicvsr),
    'BasicVSRPlusPlusNet': MMagicAdapter('BasicVSR', _basicvsr_pp),
    'EDVRNet': MMagicAdapter('EDVR', _edvr, ('max_windows_per_forward', )),
}


def get_inference_spec(generator: nn.Module) -> InferenceSpec:
    """The network's own declaration, or its entry of the adapter table.

    Raises:
        TypeError: The network declares nothing and has no entry.
    """
    spec = getattr(generator, 'inference_spec', None)
    if isinstance(spec, InferenceSpec):
        return spec
    adapter = MMAGIC_ADAPTERS.get(type(generator).__name__)
    if adapter is None:
        raise TypeError(
            f'{type(generator).__name__} declares no inference_spec and has '
            'no entry in mmjffra.models.inference.MMAGIC_ADAPTERS: add '
            'one (window or sequence, scale, spatial multiple)')
    return adapter.spec(generator)


def window_indices(num_frames: int,
                   centre: int,
                   radius: int,
                   padding: str = 'reflection') -> List[int]:
    """Frame indices of the window of ``2*radius+1`` frames around ``centre``.

    Indices outside ``[0, num_frames)`` are mirrored at the sequence ends
    (``'reflection'``: -1 -> 1, t -> t-2) or clamped (``'replicate'``: -1
    -> 0). Reflection falls back to clamping where the sequence is too short
    to mirror.

    Args:
        num_frames (int): Length of the sequence.
        centre (int): Index of the frame to restore.
        radius (int): ``N``, the number of neighbours on each side.
        padding (str): 'reflection' or 'replicate'. Default: 'reflection'.

    Returns:
        list[int]: ``2*radius+1`` valid indices.
    """
    check_padding(padding)
    last = num_frames - 1
    indices = []
    for i in range(centre - radius, centre + radius + 1):
        if padding == 'reflection':
            if i < 0:
                i = -i
            elif i > last:
                i = 2 * last - i
        indices.append(min(max(i, 0), last))
    return indices
