# RVRT, tiny size, on the embedded demo clip at CPU size: the same data, crop,
# 5-frame clips, batch, optimiser and iterations as the JFFRA, BasicVSR and
# EDVR demo configs. 16 channels, one RSTB per stage, 2-frame clips, DIS flow
# (needs no weights).
_base_ = ['../_base_/models/rvrt.py', '../_base_/demo_recipe.py']

experiment_name = 'rvrt-tiny_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        embed_dims=16,
        depths=(2, 2, 2),
        num_heads=(2, 2, 2),
        num_blocks=(1, 1, 1),
        window_size=(2, 8, 8),
        num_refinement_rounds=1,
        gda_heads=4,
        gda_groups=4,
        upsample_channels=16,
        flow_estimator=dict(
            _delete_=True, type='DISFlowEstimator', preset='ultrafast')),
    test_cfg=dict(chunk=None, tile=None))
