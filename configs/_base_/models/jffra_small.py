# JFFRA, small preset: trains at a useful speed on 2 CPU cores.
# Two levels (16 and 32 channels), 3 input frames, 8x8 attention windows,
# 9x9 cost volume, DIS initial flow (needs no weights), and a 64-channel
# reconstruction tail as BasicVSR's and EDVR's. The pixel loss is on the
# centre window (eq. 15; `train_cfg=dict(pixel_loss_frames='all')` puts it
# on all three). What each choice is worth: configs/jffra/README.md.
model = dict(
    type='JFFRA',
    generator=dict(
        type='JFFRANet',
        in_channels=3,
        out_channels=3,
        num_frames=3,
        mid_channels=16,
        channel_multipliers=(1, 2),
        num_heads=(1, 2),
        num_res_blocks=1,
        num_reconstruction_blocks=2,
        reconstruction_channels=64,
        window_size=8,
        search_radius=4,
        upscale_factor=4,
        flow_refinement=True,
        # not in the paper: residual branches start near zero (zero-init
        # attention projections, Kaiming x 0.1 last conv); PyTorch's default
        # init ('default') starts 0.8-5 dB below the bilinear base
        residual_init='zero',
        flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast')),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    temporal_loss=dict(
        type='OcclusionAwareTemporalLoss',
        flow_estimator=dict(type='DISFlowEstimator', preset='ultrafast'),
        alpha=0.2,
        loss_weight=0.2),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
