# Copyright (c) mmjffra contributors. All rights reserved.
"""The study's tests use the package tests' helpers and fixtures
(``tests/conftest.py``): ``pytest projects/jffra_study/tests``."""
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / 'tests'))  # tiny_datasets
_spec = importlib.util.spec_from_file_location('mmjffra_tests_conftest',
                                               REPO / 'tests' / 'conftest.py')
_package_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_package_tests)
run_cmd = _package_tests.run_cmd
demo_data = _package_tests.demo_data
tiny_data = _package_tests.tiny_data
