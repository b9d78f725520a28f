# Copyright (c) mmjffra contributors. All rights reserved.
"""Export a restoration model to ONNX, to restore through ONNX Runtime or
OpenVINO without a config.

The graph has dynamic batch, height and width, opset 17 (ONNX Runtime >=
1.14, OpenVINO 2023+; 19 with a deformable convolution), is checked with
``onnx.checker``, and carries in its metadata what a runtime needs: scale,
frames per window, spatial and input multiples, the normalisation, whether
a noise-level map is an input, and the flow estimator computed outside the
graph (DIS) if any. Window
networks (JFFRA; EDVR, its modulated deformable convolution as ONNX's
DeformConv, which ONNX Runtime runs and OpenVINO does not) and MMagic's
BasicVSR (its propagation a loop of the graph: clips of any length) are
exported; other sequence networks (BasicVSR++, RVRT) are refused in one
line.

Examples::

    python tools/deployment/pytorch2onnx.py --model jffra-small-x4 x4.onnx
    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT model.onnx
    python tools/restore_video.py x4.onnx in.mp4 out.mp4 \\
        --backend onnxruntime
"""
import argparse
import os.path as osp
import sys


def refuse(message: str) -> None:
    print(f'error: {message}', file=sys.stderr)
    sys.exit(2)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'paths',
        nargs='+',
        metavar='PATH',
        help='CONFIG CHECKPOINT OUT.onnx, or OUT.onnx with --model')
    parser.add_argument('--model', help='a shipped model by name')
    parser.add_argument(
        '--opset', type=int, default=17, help='ONNX opset (default 17)')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing file')
    args = parser.parse_args(argv)
    expected = 1 if args.model else 3
    if len(args.paths) != expected:
        parser.error('give CONFIG CHECKPOINT OUT.onnx, or --model NAME '
                     f'OUT.onnx; got {len(args.paths)} paths')
    args.output = args.paths[-1]
    if not args.output.lower().endswith('.onnx'):
        refuse(f'output {args.output!r} must end with .onnx')
    if osp.exists(args.output) and not args.overwrite:
        refuse(f'output {args.output!r} exists; pass --overwrite to '
               'replace it')
    if not osp.isdir(osp.dirname(osp.abspath(args.output))):
        refuse(f'the folder of {args.output!r} does not exist')
    if args.model:
        from mmjffra.apis.model_zoo import find_model
        from mmjffra.errors import UnknownModelError
        try:
            args.paths = list(find_model(args.model)) + args.paths
        except UnknownModelError as err:
            refuse(str(err))
    args.config, args.checkpoint = args.paths[:2]
    return args


def main(argv=None):
    args = parse_args(argv)
    from mmjffra.apis import VideoRestorer
    from mmjffra.deploy.onnx_export import export_onnx, external_flow_estimator
    from mmjffra.errors import ExportError, RestoreError
    try:
        from mmjffra.apis.inference_model import load_config
        config = load_config(args.config)
        # a non-blind denoiser's noise level is an input channel of the graph
        sigma = 0. if config.model.get('generator',
                                       {}).get('with_noise_map') else None
        restorer = VideoRestorer(config, args.checkpoint, noise_sigma=sigma)
        gen = restorer.generator
        outside = external_flow_estimator(gen)
        name = args.model or osp.splitext(osp.basename(args.config))[0]
        meta = export_onnx(
            gen,
            restorer.spec,
            args.output,
            mean=restorer.mean,
            std=restorer.std,
            flow_estimator=outside,
            padding=restorer.clip.padding,
            name=name,
            opset=args.opset)
    except (RestoreError, ExportError, OSError) as err:
        refuse(' '.join(str(err).split()))
    inputs = 'lqs, flows (DIS, computed by the runtime)' if outside \
        else 'lqs'
    frames = 'clips of any length' if meta['temporal'] == 'sequence' \
        else f'{meta["num_frames"]}-frame windows'
    print(f'wrote {args.output}: {meta["network"]}, x{meta["scale"]}, '
          f'{frames}, inputs {inputs}, opset {meta["opset"]}')


if __name__ == '__main__':
    main()
