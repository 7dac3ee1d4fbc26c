#!/usr/bin/env bash
# Set up the console on Debian/Ubuntu from a checkout: system libraries through apt where
# missing, then the Python package into the console's own virtual environment (never the
# system Python's site-packages), and the `spaceops` command on PATH.
#   bash packaging/setup.sh          # what the console needs to run
#   bash packaging/setup.sh --test   # plus what the test suite needs (Xvfb, Mesa, test extras)
# Root or sudo is needed only when an apt package is missing.
#   PYTHON        the interpreter the environment is made from (default python3, 3.11 or newer)
#   SPACEOPS_VENV where the environment lives (default .venv in the checkout)
#   SPACEOPS_BIN  where the `spaceops` link goes (default /usr/local/bin as root, else ~/.local/bin)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${SPACEOPS_VENV:-$PWD/.venv}
WITH_TESTS=0
[[ "${1:-}" == "--test" ]] && WITH_TESTS=1

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: $PYTHON is missing or older than Python 3.11; set PYTHON to a 3.11+ interpreter" >&2
    exit 1
fi

# Qt's xcb platform plugin and OpenGL (Mesa) for the window
RUNTIME_DEBS=(libgl1 libegl1 libopengl0 libglx-mesa0 libgl1-mesa-dri libxkbcommon0 libxkbcommon-x11-0
              libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
              libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libfontconfig1 fontconfig fonts-dejavu-core
              libdbus-1-3)
TEST_DEBS=(xvfb xauth)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    wanted=("${RUNTIME_DEBS[@]}")
    (( WITH_TESTS )) && wanted+=("${TEST_DEBS[@]}")
    # Debian ships venv's pip bootstrap (ensurepip) apart from the interpreter
    "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || wanted+=(python3-venv)
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
fi
if (( ${#missing[@]} )); then
    echo "setup: installing system packages: ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The console's own environment: made once, reused after (a broken one is made again).
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    echo "setup: creating the console's environment in $VENV" >&2
    "$PYTHON" -m venv --clear "$VENV"
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
if (( WITH_TESTS )); then
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
else
    "$VENV/bin/python" -m pip install --quiet .
fi

# numba compiles the screening kernels once, now, rather than on a user's first screening
echo "setup: compiling the screening and pass kernels (about a minute the first time)" >&2
"$VENV/bin/spaceops" warm-up --quiet

# `spaceops` on PATH: a link to the environment's entry point
if [[ -n "${SPACEOPS_BIN:-}" ]]; then
    BIN=$SPACEOPS_BIN
elif [[ $(id -u) -eq 0 ]]; then
    BIN=/usr/local/bin
else
    BIN=$HOME/.local/bin
fi
mkdir -p "$BIN"
ln -sfn "$VENV/bin/spaceops" "$BIN/spaceops"
found=$(command -v spaceops || true)
if [[ "$found" != "$BIN/spaceops" ]]; then
    if [[ -z "$found" ]]; then
        echo "setup: $BIN is not on PATH; add it (e.g. export PATH=\"$BIN:\$PATH\") or run $BIN/spaceops" >&2
    else
        echo "setup: note: 'spaceops' on PATH is $found, not $BIN/spaceops; remove the other one or put $BIN first" >&2
    fi
fi
echo "setup: done ($("$VENV/bin/python" --version) in $VENV; spaceops -> $BIN/spaceops)" >&2
