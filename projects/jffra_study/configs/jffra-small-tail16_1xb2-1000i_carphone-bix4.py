# The small preset with a 16-channel reconstruction tail (the preset's is 64)
# and the pixel loss on the centre window: the study's "jffra-small tail c16"
_base_ = '../../../configs/demo/jffra-small_1xb2-1000i_carphone-bix4.py'

model = dict(
    generator=dict(reconstruction_channels=16),
    train_cfg=dict(pixel_loss_frames='centre'))
