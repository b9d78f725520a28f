# JFFRA (small preset) on the embedded demo clip, at CPU size: the same data,
# crop, batch, optimiser and iterations as the BasicVSR and EDVR demo configs.
# Training clips have 2N+3 = 5 frames: frames t-1, t, t+1 are each restored
# from their own 3-frame window for the temporal loss.
_base_ = ['../_base_/models/jffra_small.py', '../_base_/demo_recipe.py']

experiment_name = 'jffra-small_1xb2-1000i_carphone-bix4'
work_dir = f'./work_dirs/{experiment_name}'
