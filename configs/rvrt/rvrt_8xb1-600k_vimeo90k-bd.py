# RVRT for x4 VSR trained on Vimeo-90K BD degradation, tested on Vimeo-90K-T,
# Vid4 and UDM10 (Y channel). Only the degradation and test sets differ from
# the BI config.
_base_ = './rvrt_8xb1-600k_vimeo90k-bi.py'

experiment_name = 'rvrt_8xb1-600k_vimeo90k-bd'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(dataset=dict(data_prefix=dict(img='BDx4', gt='GT')))

val_dataloader = {{_base_.vid4_bd_dataloader}}
val_evaluator = dict(type='Evaluator', metrics={{_base_.vid4_bd_evaluator}})

test_dataloader = [{{_base_.vimeo_90k_bd_dataloader}},
                   {{_base_.vid4_bd_dataloader}}, {{_base_.udm10_dataloader}}]
test_evaluator = [{{_base_.vimeo_90k_bd_evaluator}},
                  {{_base_.vid4_bd_evaluator}}, {{_base_.udm10_evaluator}}]

# the key the validation above produces (see configs/_base_/default_runtime.py)
default_hooks = dict(checkpoint=dict(save_best='VID4-BDx4-Y/PSNR'))
