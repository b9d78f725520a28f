# Copyright (c) mmjffra contributors. All rights reserved.
"""Restore a video file or a folder of frames with a trained model.

Frames are read, restored and written one by one: memory stays flat
whatever the length of the video; ``--tile`` bounds it for large frames.
The output appears only when it is complete (it is written in segments
to a hidden sibling first): an error, SIGINT or SIGTERM leaves nothing
behind and a previous output untouched. A run killed in any way (SIGKILL,
a crash, a power cut), or any run given --resume, or one that filled the
disk, keeps its finished segments in ``.<output>.partial/``: the same
command with --resume continues from there, and gives the output an
uninterrupted run gives. The input is never replaced, and a folder output
is replaced (--overwrite) only if it holds nothing but a previous
restoration's frames. A video output keeps the input's audio.

Examples::

    python tools/restore_video.py --model jffra-small-x4 input.mp4 out.mp4
    python tools/restore_video.py CONFIG CKPT input.mp4 output.mp4
    python tools/restore_video.py CONFIG CKPT frames_dir/ out_dir/ --tile 128
    python tools/restore_video.py --model jffra-small-x4 long.mp4 out.mp4 \\
        --resume    # after an interruption: continue where it stopped
    python tools/restore_video.py DENOISE_CONFIG CKPT noisy.mp4 clean.mkv \\
        --noise-sigma 30 --device cuda:0 --fp16 --batch auto
    torchrun --nproc-per-node 4 tools/restore_video.py CONFIG CKPT \\
        input.mp4 output.mp4 --device cuda
"""
import argparse
import os
import sys

from mmengine.config import DictAction


def refuse(message: str) -> None:
    """Exit 2 with one line (argparse's errors print the usage too)."""
    print(f'error: {message}', file=sys.stderr)
    sys.exit(2)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'paths',
        nargs='*',
        metavar='PATH',
        help='CONFIG CHECKPOINT INPUT OUTPUT, MODEL.onnx INPUT OUTPUT with '
        '--backend onnxruntime|openvino, or INPUT OUTPUT with --model; '
        'INPUT: a video file or folder of frames, OUTPUT: a video file '
        '(.mp4, .mkv, ...) or a folder for PNGs')
    parser.add_argument(
        '--backend',
        default='pytorch',
        choices=['pytorch', 'onnxruntime', 'openvino'],
        help='what runs the network: pytorch (CONFIG CHECKPOINT), or an '
        'ONNX model exported by tools/deployment/pytorch2onnx.py on the CPU '
        '(pip install -e ".[deploy]")')
    parser.add_argument(
        '--model',
        help='a shipped model by name (model-index.yml), e.g. '
        'jffra-small-x4, instead of CONFIG CHECKPOINT')
    parser.add_argument(
        '--list-models',
        action='store_true',
        help='list the models with weights (name, task, where the weights '
        'are) and exit')
    parser.add_argument(
        '--device',
        default='cpu',
        help='cpu, cuda or cuda:N (under torchrun, cuda means each rank\'s '
        'LOCAL_RANK device)')
    parser.add_argument(
        '--fp16', action='store_true', help='half precision (CUDA)')
    parser.add_argument(
        '--batch',
        help='windows per forward of a window network (JFFRA, EDVR): a '
        'number or "auto" (as many as fit the free GPU memory); default: '
        'model.test_cfg.max_windows_per_forward of the config, else 1')
    parser.add_argument(
        '--tile', type=int, help='tile side in input pixels (large frames)')
    parser.add_argument(
        '--tile-overlap', type=int, default=32, help='tile overlap (pixels)')
    parser.add_argument(
        '--noise-sigma',
        type=float,
        help='noise level (0-255) for non-blind denoising models')
    parser.add_argument(
        '--start',
        type=int,
        default=0,
        help='first frame, counted by position from 0 (the first frame of '
        'the video, or of the folder in natural order); a folder output '
        'keeps the input frames\' own numbers')
    parser.add_argument(
        '--end', type=int, help='stop before this frame (by position)')
    parser.add_argument(
        '--fps',
        type=float,
        help='frame rate of a video output (default: the input video\'s, '
        '25 for a frame folder)')
    parser.add_argument(
        '--no-audio',
        action='store_true',
        help='do not copy the input\'s audio into the output video')
    parser.add_argument(
        '--codec',
        help='video codec (default: libx264; libvpx-vp9 for .webm, rawvideo '
        'for .y4m, mpeg2video for .mpg)')
    parser.add_argument(
        '--crf', type=int, default=18, help='x264/x265 quality (lower=better)')
    parser.add_argument(
        '--chunk',
        type=int,
        default=20,
        help='frames per chunk of recurrent models (BasicVSR, RVRT)')
    parser.add_argument(
        '--chunk-overlap',
        type=int,
        default=5,
        help='context frames on each side of a chunk')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing output')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='continue the restoration of OUTPUT that an interrupted run of '
        'the same command left (refused if the input, model or an option '
        'differs); this run keeps its finished segments too if it is '
        'interrupted (pass it always in scripts that may be requeued)')
    parser.add_argument(
        '--segment',
        type=int,
        default=100,
        help='frames per segment: the most an interruption loses '
        '(rounded up to a multiple of --chunk for recurrent models)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='config overrides')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress report')
    args = parser.parse_args(argv)
    # plain ranges, checked before the toolbox is imported (seconds)
    if args.fps is not None and not 1 <= args.fps <= 1000:  # also nan/inf
        refuse(f'--fps must be within 1-1000 frames per second, got '
               f'{args.fps}')
    output = args.paths[-1].lower() if args.paths else ''
    vpx = (args.codec or '').startswith('libvpx') or output.endswith('.webm')
    top = 63 if vpx else 51
    if not 0 <= args.crf <= top:
        refuse(f'--crf must be within 0-{top} for this codec, got '
               f'{args.crf}')
    for name in ('tile', 'chunk', 'segment'):
        value = getattr(args, name)
        if value is not None and value < 1:
            refuse(f'--{name} must be an integer >= 1, got {value}')
    if args.list_models:
        from mmjffra.apis.model_zoo import describe_models
        print('\n'.join(describe_models()))
        parser.exit(0)
    onnx = args.backend != 'pytorch'
    if not onnx and args.paths and args.paths[0].lower().endswith('.onnx'):
        refuse(f'{args.paths[0]!r} is an ONNX model: give --backend '
               'onnxruntime or openvino')
    expected = 2 if args.model else 3 if onnx else 4
    if len(args.paths) != expected:
        parser.error('give CONFIG CHECKPOINT INPUT OUTPUT, MODEL.onnx INPUT '
                     'OUTPUT with --backend onnxruntime|openvino, or --model '
                     f'NAME INPUT OUTPUT; got {len(args.paths)} paths')
    if onnx:
        if args.model or not args.paths[0].lower().endswith('.onnx'):
            refuse(f'--backend {args.backend} runs an exported .onnx model '
                   '(tools/deployment/pytorch2onnx.py), got '
                   f'{(args.model or args.paths[0])!r}')
        if not os.path.isfile(args.paths[0]):
            refuse(f'ONNX model {args.paths[0]!r} does not exist')
        args.paths = [args.paths[0], None] + args.paths[1:]
    if args.model:
        from mmjffra.apis.model_zoo import find_model
        from mmjffra.errors import UnknownModelError
        try:
            config, checkpoint = find_model(args.model)
        except UnknownModelError as err:
            parser.error(str(err))
        args.paths = [config, checkpoint] + args.paths
    # the paths the user named, before the toolbox is imported (seconds)
    named = [('input', args.paths[-2])]
    if not onnx:
        named = [('config', args.paths[0]),
                 ('checkpoint', args.paths[1])] + named
    for role, path in named:
        if '://' not in path and not os.path.exists(path):
            refuse(f'{role} {path!r} does not exist')
    args.config, args.checkpoint, args.input, args.output = args.paths
    return args


# VideoRestorer's parameters whose option is not --the-same-name
OPTIONS = {'max_windows': '--batch'}


def main(argv=None):
    """Exit codes: 0 done, 2 an error of the input, arguments, output,
    config or checkpoint (one line), 3 out of GPU memory, 130/143 stopped
    by SIGINT/SIGTERM; nothing is left behind unless the run is done."""
    args = parse_args(argv)
    try:
        code = run(args)
    except KeyboardInterrupt:  # before the signal handlers are set
        print('error: interrupted by SIGINT: nothing written', file=sys.stderr)
        code = 130
    if code:
        sys.exit(code)


def run(args) -> int:
    import warnings

    import torch

    from mmjffra.apis import VideoRestorer
    from mmjffra.apis.arguments import parse_max_windows
    from mmjffra.apis.messages import (one_line, one_line_warnings,
                                       what_was_kept)
    from mmjffra.apis.video_io import check_restore_paths
    from mmjffra.errors import RestoreError, RestoreWarning
    from mmjffra.utils.dist_utils import init_torchrun_group
    from mmjffra.utils.safe_files import Interrupted, signals_as_exceptions
    oom = (torch.cuda.OutOfMemoryError, )
    code = 0
    with signals_as_exceptions(), warnings.catch_warnings():
        warnings.simplefilter('always', RestoreWarning)
        warnings.showwarning = one_line_warnings(warnings.showwarning, OPTIONS)
        try:
            device = init_torchrun_group(args.device)
            # the input, the output and the arguments are checked before
            # the model is built (seconds)
            max_windows = parse_max_windows(args.batch)
            reader = check_restore_paths(args.input, args.output, args.start,
                                         args.end, args.overwrite, args.codec,
                                         args.fps, args.crf, args.resume)
            restorer = VideoRestorer(
                args.config,
                args.checkpoint,
                device=device,
                fp16=args.fp16,
                tile=args.tile,
                tile_overlap=args.tile_overlap,
                noise_sigma=args.noise_sigma,
                chunk=args.chunk,
                chunk_overlap=args.chunk_overlap,
                max_windows=max_windows,
                cfg_options=args.cfg_options,
                backend=args.backend)
            count = restorer.restore_file(
                args.input,
                args.output,
                start=args.start,
                end=args.end,
                codec=args.codec,
                crf=args.crf,
                overwrite=args.overwrite,
                progress=not args.no_progress,
                fps=args.fps,
                audio=not args.no_audio,
                resume=args.resume,
                segment=args.segment,
                reader=reader)
        except Interrupted as err:
            print(f'error: {err}: {what_was_kept(err)}', file=sys.stderr)
            code = err.exit_code
        except oom:
            print(
                f'error: out of GPU memory on {args.device}: restore in '
                'tiles (--tile 256, smaller for less memory) and/or with '
                'fewer windows per forward (--batch 1)',
                file=sys.stderr)
            code = 3
        except (RestoreError, OSError) as err:
            text = one_line(err, OPTIONS)
            if getattr(err, 'partial', None):
                text += f'; {what_was_kept(err)}'
            print(f'error: {text}', file=sys.stderr)
            code = 2
        else:
            if int(os.environ.get('RANK', '0')) == 0:
                print(f'wrote {count} frames to {args.output}')
        finally:
            import torch.distributed as dist
            if dist.is_available() and dist.is_initialized():
                dist.destroy_process_group()
    return code


if __name__ == '__main__':
    main()
