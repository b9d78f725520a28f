#!/usr/bin/env bash
# One-command set-up of mmjffra on a fresh machine (idempotent; fast on a second run).
#
#   bash scripts/setup.sh            # creates ./.venv and installs everything
#
# Environment variables:
#   MMJFFRA_VENV   where the virtual environment goes       (default: <repo>/.venv)
#   MMJFFRA_CACHE  cache kept outside the clone (MMCV wheel) (default: ~/.cache/mmjffra)
#   MMJFFRA_MMCV   lite (default): the pure-Python mmcv-lite wheel plus mmjffra's
#                  stand-in for MMCV's compiled ops (deformable convolution through
#                  torchvision; any other MMCV op raises a one-line error); no compiler,
#                  about a second to install.
#                  full: MMCV 2.1.0 built from its sdist with all its C++/CUDA ops
#                  (10-25 min on 2 cores, once; the wheel is cached in MMJFFRA_CACHE).
#   MMJFFRA_TORCH  pip spec for torch/torchvision            (default: torch==2.14.1 torchvision==0.29.1)
#                  e.g. for a CUDA 12.1 machine:
#                  MMJFFRA_TORCH="torch==2.4.1 torchvision==0.19.1 --index-url https://download.pytorch.org/whl/cu121"
#   PYTHON         interpreter used to create the venv     (default: python3.11)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMJFFRA_VENV:-$ROOT/.venv}"
CACHE="${MMJFFRA_CACHE:-$HOME/.cache/mmjffra}"
TORCH_SPEC="${MMJFFRA_TORCH:-torch==2.14.1 torchvision==0.29.1}"
PYTHON="${PYTHON:-python3.11}"
MMCV_VERSION=2.1.0
MMCV_MODE="${MMJFFRA_MMCV:-lite}"
case "$MMCV_MODE" in
  lite|full) ;;
  *) echo "MMJFFRA_MMCV must be 'lite' or 'full', got '$MMCV_MODE'" >&2; exit 2 ;;
esac

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

mkdir -p "$CACHE/wheels"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# The stamp holds a hash of everything that decides the venv's contents: when it matches, the
# heavy steps are skipped and only the editable install of the project is refreshed.
STAMP="$VENV/.mmjffra-stamp"
KEY="$( (echo "$TORCH_SPEC $MMCV_MODE"; cat "$ROOT"/requirements/*.txt "$ROOT/scripts/setup.sh") | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
  log "venv up to date ($KEY)"
else
  log "installing build requirements"
  "${PIP[@]}" install -q -r "$ROOT/requirements/build.txt"
  log "installing $TORCH_SPEC"
  # torch asks for setuptools >= 77 and pip would take the newest (no
  # pkg_resources, which MMCV's setup.py imports): keep the constraint.
  # shellcheck disable=SC2086
  "${PIP[@]}" install -q -c "$ROOT/requirements/constraints.txt" $TORCH_SPEC

  if [ "$MMCV_MODE" = lite ]; then
    # mmcv and mmcv-lite ship the same `mmcv` package: never both.
    "${PIP[@]}" uninstall -q -y mmcv >/dev/null 2>&1 || true
    log "installing mmcv-lite $MMCV_VERSION (no compiled ops; mmjffra provides deformable convolution)"
    "${PIP[@]}" install -q -c "$ROOT/requirements/constraints.txt" "mmcv-lite==$MMCV_VERSION"
  else
    "${PIP[@]}" uninstall -q -y mmcv-lite >/dev/null 2>&1 || true
    # MMCV's setup.py compiles the CUDA ops too where torch sees a GPU: such a
    # wheel is cached apart from the CPU-only one.
    TORCH_TAG="$("$PY" -c 'import sys, torch; print(f"cp{sys.version_info[0]}{sys.version_info[1]}-torch{torch.__version__}".replace("+", "_") + ("-cudaops" if torch.cuda.is_available() else ""))')"
    WHEEL_DIR="$CACHE/wheels/mmcv-$MMCV_VERSION-$TORCH_TAG"
    if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
      log "building MMCV $MMCV_VERSION with ops against $TORCH_TAG (10-25 min on 2 cores, once)"
      BUILD="$(mktemp -d)"
      "${PIP[@]}" download -q --no-deps --no-build-isolation --no-binary :all: "mmcv==$MMCV_VERSION" -d "$BUILD"
      tar -xzf "$BUILD/mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD"
      # torch >= 2.6 headers require C++20; mmcv 2.1.0 hard-codes -std=c++17.
      sed -i 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
      mkdir -p "$WHEEL_DIR.tmp"
      MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
        "${PIP[@]}" wheel -q --no-deps --no-build-isolation "$BUILD/mmcv-$MMCV_VERSION" -w "$WHEEL_DIR.tmp"
      rm -rf "$WHEEL_DIR" && mv "$WHEEL_DIR.tmp" "$WHEEL_DIR"
      rm -rf "$BUILD"
    else
      log "reusing cached MMCV wheel in $WHEEL_DIR"
    fi
    "${PIP[@]}" install -q --no-deps "$WHEEL_DIR"/mmcv-*.whl
    # mmcv's own runtime requirements (installed --no-deps above).
    "${PIP[@]}" install -q addict packaging Pillow pyyaml yapf "opencv-python<4.11"
  fi

  log "installing MMagic 1.2.0 and its pins"
  "${PIP[@]}" install -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt" \
    -r "$ROOT/requirements/deploy.txt"
  # Dependencies upgrade setuptools past what MMEngine, MMCV and mim need, and
  # mediapipe past what MMagic's inferencers import:
  # put it back (see requirements/constraints.txt).
  "${PIP[@]}" install -q -c "$ROOT/requirements/constraints.txt" setuptools mediapipe
  "$PY" -c "import pkg_resources" 2>/dev/null || {
    echo "setuptools lost pkg_resources (see requirements/constraints.txt)" >&2
    exit 1
  }
  # MMCV, albumentations and mediapipe each ask for another OpenCV wheel
  # (opencv-python, opencv-python-headless, opencv-contrib-python); all three
  # install the same `cv2` package over each other. Keep one: the headless
  # build with the contrib modules, which holds what each of them imports.
  "${PIP[@]}" uninstall -q -y opencv-python opencv-python-headless opencv-contrib-python
  "${PIP[@]}" install -q --no-deps --force-reinstall "opencv-contrib-python-headless<4.11"
  echo "$KEY" > "$STAMP"
fi

log "installing mmjffra (editable)"
# Legacy develop install (egg-link): MMagic's mim finds a package's configs and
# tools through pkg_resources' location, which is the repository only then.
"${PIP[@]}" install -q --no-deps --no-build-isolation --no-use-pep517 -e "$ROOT"
# With mmcv-lite, a start-up hook (a .pth file in site-packages) lets
# `import mmcv._ext` find mmjffra's stand-in in every process, whatever is
# imported first (mmagic, mim, torchrun workers). ext_finder.py is standard
# library only and is run by path (importing mmjffra would import MMagic).
if [ "$MMCV_MODE" = lite ]; then
  "$PY" "$ROOT/mmjffra/ops/ext_finder.py" install
else
  "$PY" "$ROOT/mmjffra/ops/ext_finder.py" uninstall
fi
"$PY" -c "import mmjffra, mmcv, mmagic, torch; import mmcv._ext as ext; print('mmjffra', mmjffra.__version__, '| mmagic', mmagic.__version__, '| mmcv', mmcv.__version__, '(' + ('mmjffra stand-in ops' if ext.__file__.endswith('.py') else 'compiled ops') + ') | torch', torch.__version__)"
log "done: activate with 'source $VENV/bin/activate'"
