# Vimeo-90K x4 blur-downsampling (BD): the BI setting with BD frames,
# validation on Vid4 BD, test on Vimeo-90K-T, Vid4 and UDM10 (Y channel).
_base_ = './vimeo90k_bi_x4.py'

train_dataloader = dict(dataset=dict(data_prefix=dict(img='BDx4')))

val_dataloader = _base_.vid4_bd_dataloader
val_evaluator = dict(metrics=_base_.vid4_bd_evaluator)
test_dataloader = [
    _base_.vimeo_90k_bd_dataloader, _base_.vid4_bd_dataloader,
    _base_.udm10_dataloader
]
test_evaluator = [
    _base_.vimeo_90k_bd_evaluator, _base_.vid4_bd_evaluator,
    _base_.udm10_evaluator
]

default_hooks = dict(checkpoint=dict(save_best='VID4-BDx4-Y/PSNR'))
