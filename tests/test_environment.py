# Copyright (c) mmjffra contributors. All rights reserved.
"""What ``scripts/setup.sh`` leaves in a virtual environment."""
import sys
from importlib import metadata
from pathlib import Path

import pytest

MADE_BY_SETUP = (Path(sys.prefix) / '.mmjffra-stamp').is_file()


@pytest.mark.skipif(
    not MADE_BY_SETUP, reason='the venv was not made by scripts/setup.sh')
def test_one_opencv_distribution_owns_cv2():
    owners = sorted({
        dist.metadata['Name'].lower()
        for dist in metadata.distributions() if any(
            str(f).startswith('cv2/') for f in (dist.files or ()))
    })
    assert owners == ['opencv-contrib-python-headless']
    import cv2
    assert hasattr(cv2, 'DISOpticalFlow_create')  # JFFRA-small's flow
    assert hasattr(cv2, 'ximgproc')  # a contrib module (mediapipe's wheel)
