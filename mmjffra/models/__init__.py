# Copyright (c) mmjffra contributors. All rights reserved.
from .editors import *  # noqa: F401,F403
from .flow_estimators import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
