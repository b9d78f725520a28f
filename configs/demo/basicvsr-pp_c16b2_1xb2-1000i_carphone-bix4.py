# MMagic's BasicVSR++ on the embedded demo clip, at CPU size: the BasicVSR
# demo config (same data, crop, 5-frame clips, batch, optimiser and
# iterations as the other demo configs) with MMagic's BasicVSR++ generator
# and its SPyNet learning-rate factor (basicvsr-pp_c64n7_8xb1-600k_reds4.py).
# Its second-order deformable alignment runs on MMCV's ModulatedDeformConv2d
# (mmjffra/ops with the default mmcv-lite set-up).
_base_ = './basicvsr_c16b4_1xb2-1000i_carphone-bix4.py'

experiment_name = 'basicvsr-pp_c16b2_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(
        _delete_=True,
        type='BasicVSRPlusPlusNet',
        mid_channels=16,
        num_blocks=2,
        is_low_res_input=True,
        # MMagic downloads SPyNet weights from a URL; no download here:
        # random initialisation (pass a local path to use real weights).
        spynet_pretrained=None))
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'spynet': dict(lr_mult=0.25)}))
