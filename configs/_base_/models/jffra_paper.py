# JFFRA, paper preset: as close to the paper's description as its text
# allows: 3 input frames, RAFT initial flow, three-level encoder-decoder
# (64/128/256 channels), 8x8 attention windows, 9x9 cost volume, L1 loss
# plus the occlusion-aware temporal loss (alpha 0.2, w1 = w2 = 0.2).
# The paper uses a pre-trained RAFT: set `pretrained` of both estimators to
# a local torchvision RAFT checkpoint (or 'torchvision' with internet).
raft = dict(type='RAFTFlowEstimator', arch='raft_large', pretrained=None)
model = dict(
    type='JFFRA',
    generator=dict(
        type='JFFRANet',
        in_channels=3,
        out_channels=3,
        num_frames=3,
        mid_channels=64,
        channel_multipliers=(1, 2, 4),
        num_heads=(2, 4, 8),
        num_res_blocks=2,
        num_reconstruction_blocks=5,
        window_size=8,
        search_radius=4,
        upscale_factor=4,
        flow_refinement=True,
        # not in the paper: residual branches start near zero (zero-init
        # attention projections, Kaiming x 0.1 last conv), so an untrained
        # network restores the bilinear base; 'default': PyTorch's init
        residual_init='zero',
        flow_estimator=raft),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    temporal_loss=dict(
        type='OcclusionAwareTemporalLoss',
        flow_estimator=raft,
        alpha=0.2,
        loss_weight=0.2),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
