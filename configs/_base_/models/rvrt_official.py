# Generators of the released RVRT models (github.com/JingyunLiang/RVRT,
# `main_test_rvrt.py::prepare_model_dataset`): RVRTNet is the released
# architecture, so the released files (`{'params': ...}`) load as they are
# (key map:
# mmjffra/models/editors/rvrt/official_keys.py). A task config inherits this
# file next to the RVRT config of its task and takes one of them with
# `model = dict(generator=_base_.rvrt_official_sr)`. Each names every
# argument the generator of configs/_base_/models/rvrt.py sets, so what it
# merges into adds nothing of its own.
# SPyNet's weights come with the released file (`spynet.*`), hence
# `pretrained='random'` at build time.
rvrt_official_sr = dict(
    type='RVRTNet',
    in_channels=3,
    out_channels=3,
    upscale_factor=4,
    clip_size=2,
    embed_dims=144,
    depths=(2, 2, 2),
    num_heads=(6, 6, 6),
    num_blocks=(1, 2, 1),
    window_size=(2, 8, 8),
    feat_extract_window=(1, 8, 8),
    reconstruction_window=(1, 8, 8),
    inputconv_groups=(1, 1, 1, 1, 1, 1),
    num_refinement_rounds=2,
    gda_heads=12,
    gda_groups=12,
    gda_kernel=(3, 3),
    max_residue_magnitude=10,
    mlp_ratio=2.,
    update_flows=True,
    upsample_channels=64,
    flow_estimator=dict(type='SPyNetFlowEstimator', pretrained='random'))
# 004/005 deblurring: 192 channels, features at 1/4 resolution
rvrt_official_deblur = dict(
    rvrt_official_sr,
    upscale_factor=1,
    embed_dims=192,
    inputconv_groups=(1, 3, 3, 3, 3, 3))
# 006 non-blind denoising: the noise level map as a 4th input channel
rvrt_official_denoise = dict(
    rvrt_official_deblur,
    with_noise_map=True,
    inputconv_groups=(1, 3, 4, 6, 8, 4))
