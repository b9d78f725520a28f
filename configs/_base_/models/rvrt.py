# RVRT (Liang et al., NeurIPS 2022), sizes of the released REDS x4 model:
# clips of 2 frames, 144 channels, RSTBs (1, 2, 1) of depth 2 with 6 heads and
# 2x8x8 windows, two rounds of backward/forward refinement with guided
# deformable attention (12 heads, 12 groups, 3x3 points, residual offsets
# <= 10 px), SPyNet flow (frozen). Charbonnier loss as the official recipe.
# The official recipe starts SPyNet from pre-trained weights: set
# `pretrained` to a local copy of MMagic's SPyNet checkpoint
# (spynet_20210409-c6c1bd09.pth); weights are never downloaded here.
model = dict(
    type='RVRT',
    generator=dict(
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
        num_refinement_rounds=2,
        gda_heads=12,
        gda_groups=12,
        gda_kernel=(3, 3),
        max_residue_magnitude=10,
        mlp_ratio=2.,
        update_flows=True,
        upsample_channels=64,
        flow_estimator=dict(type='SPyNetFlowEstimator', pretrained=None)),
    pixel_loss=dict(type='CharbonnierLoss', loss_weight=1.0, eps=1e-9),
    # restore long/large test videos in chunks of 100 frames (2 context
    # frames each side) and overlapping 128 px tiles
    test_cfg=dict(chunk=100, chunk_overlap=2, tile=128, tile_overlap=20),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
