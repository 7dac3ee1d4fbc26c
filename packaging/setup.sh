#!/usr/bin/env bash
# Set up the console on Debian/Ubuntu from a checkout: system libraries through apt where
# missing, then the Python package with pip.
#   bash packaging/setup.sh          # what the console needs to run
#   bash packaging/setup.sh --test   # plus what the test suite needs (Xvfb, Mesa, test extras)
# Root or sudo is needed only when an apt package is missing. PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
WITH_TESTS=0
[[ "${1:-}" == "--test" ]] && WITH_TESTS=1

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
    "$PYTHON" -m pip --version >/dev/null 2>&1 || wanted+=(python3-pip)
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

# Debian's own Python refuses system-wide pip installs (PEP 668) unless told otherwise.
export PIP_BREAK_SYSTEM_PACKAGES=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
if (( WITH_TESTS )); then
    "$PYTHON" -m pip install --quiet --root-user-action=ignore -e ".[test]"
else
    "$PYTHON" -m pip install --quiet --root-user-action=ignore .
fi
echo "setup: done ($("$PYTHON" --version))" >&2
