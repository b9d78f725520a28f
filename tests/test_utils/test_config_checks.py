# Copyright (c) mmjffra contributors. All rights reserved.
"""model.test_cfg keys: each wrapper's declaration, MMagic's adapter
table, and the check that reads them."""
import pytest
from mmagic.models.editors.basicvsr import BasicVSR

from mmjffra.errors import UnknownConfigKeyError
from mmjffra.models.editors.jffra.jffra import JFFRA
from mmjffra.models.editors.rvrt.rvrt import RVRT
from mmjffra.utils.config_checks import (MMAGIC_TEST_CFG_KEYS, check_test_cfg,
                                         known_test_cfg_keys)


def test_wrappers_declare_their_keys():
    assert JFFRA.test_cfg_keys == ('padding', 'max_windows_per_forward',
                                   'tile', 'tile_overlap')
    assert RVRT.test_cfg_keys == ('tile', 'tile_overlap')
    assert known_test_cfg_keys('JFFRA') == JFFRA.test_cfg_keys
    assert known_test_cfg_keys('mmagic.RVRT') == ('tile', 'tile_overlap')
    # RVRT is a BasicVSR: its declaration wins over the adapter table
    assert issubclass(RVRT, BasicVSR) and known_test_cfg_keys(BasicVSR) == ()
    # ours are declared, never in the table
    assert not {'JFFRA', 'RVRT'} & set(MMAGIC_TEST_CFG_KEYS)


def test_mmagic_wrappers_from_the_adapter_table():
    assert known_test_cfg_keys('EDVR') == ('max_windows_per_forward', )

    class OwnBasicVSR(BasicVSR):
        pass

    class Unknown:
        pass

    assert known_test_cfg_keys(OwnBasicVSR) == ()  # by its MRO

    assert known_test_cfg_keys(Unknown) is None
    assert known_test_cfg_keys('NoSuchModel') is None


def test_unknown_keys_are_refused_naming_the_known_ones():
    check_test_cfg(dict(type='JFFRA', test_cfg=dict(padding='replicate')))
    check_test_cfg(dict(type='NoSuchModel', test_cfg=dict(anything=1)))
    with pytest.raises(
            UnknownConfigKeyError,
            match='unknown key model.test_cfg.tiles for RVRT: the known '
            'keys are tile, tile_overlap$'):
        check_test_cfg(dict(type='RVRT', test_cfg=dict(tiles=(0, 64, 64))))
    with pytest.raises(UnknownConfigKeyError, match='known keys are none'):
        check_test_cfg(dict(type='BasicVSR', test_cfg=dict(tile=64)))
