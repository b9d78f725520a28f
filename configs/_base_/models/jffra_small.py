# JFFRA, small preset: the paper preset (./jffra_paper.py) at a size that
# trains at a useful speed on 2 CPU cores. Two levels (16 and 32
# channels), one residual block per level, a 64-channel reconstruction tail
# of 2 blocks as BasicVSR's and EDVR's, and DIS initial flow (needs no
# weights) for RAFT. The pixel loss is on the centre window (eq. 15;
# `train_cfg=dict(pixel_loss_frames='all')` puts it on all three). What
# each choice is worth: configs/jffra/README.md.
_base_ = './jffra_paper.py'

model = dict(
    generator=dict(
        mid_channels=16,
        channel_multipliers=(1, 2),
        num_heads=(1, 2),
        num_res_blocks=1,
        num_reconstruction_blocks=2,
        reconstruction_channels=64,
        flow_estimator=dict(
            _delete_=True, type='DISFlowEstimator', preset='ultrafast')),
    temporal_loss=dict(
        flow_estimator=dict(
            _delete_=True, type='DISFlowEstimator', preset='ultrafast')))
