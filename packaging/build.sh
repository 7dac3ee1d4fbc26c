#!/usr/bin/env bash
# The frozen one-folder build: dist/spaceops/ (run dist/spaceops/spaceops) and its tarball
# dist/spaceops-<version>-linux-x86_64.tar.gz, for workstations without network or Python.
#   bash packaging/build.sh
# Builds in its own environment (.venv-build in the checkout; PYTHON picks the interpreter),
# from a clean install of the checkout, so the build ships what an install would.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
BUILD_VENV=${SPACEOPS_BUILD_VENV:-$PWD/.venv-build}
export PIP_DISABLE_PIP_VERSION_CHECK=1

if ! "$BUILD_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    echo "build: creating the build environment in $BUILD_VENV" >&2
    "$PYTHON" -m venv --clear "$BUILD_VENV"
fi
"$BUILD_VENV/bin/python" -m pip install --quiet ".[postgresql]" "pyinstaller>=6.10" "pyinstaller-hooks-contrib>=2024.8"
version=$("$BUILD_VENV/bin/python" -c 'import app; print(app.__version__)')

rm -rf dist/spaceops build/pyinstaller
started=$SECONDS
"$BUILD_VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/frozen/spaceops.spec
echo "build: frozen in $((SECONDS - started)) s" >&2
# Symbols nobody reads at run time: LLVM (llvmlite) alone carries 19 MB, libpython 17 MB.
# Libraries that auditwheel patched ($ORIGIN run paths, the *.libs folders) are left alone:
# strip breaks them ("ELF load command address/offset not page-aligned").
if command -v strip >/dev/null && command -v readelf >/dev/null; then
    before=$(du -sm dist/spaceops | cut -f1)
    while IFS= read -r -d '' library; do
        [[ "$library" == *.libs/* ]] && continue
        readelf -d "$library" 2>/dev/null | grep -q 'PATH.*\$ORIGIN' && continue
        strip --strip-unneeded "$library"
    done < <(find dist/spaceops/_internal -type f -name '*.so*' -print0)
    echo "build: stripped $((before - $(du -sm dist/spaceops | cut -f1))) MB of symbols" >&2
else
    echo "build: strip/readelf (binutils) not installed: libraries keep their symbols (about 50 MB)" >&2
fi

# numba's kernels compiled now, into the cache shipped with the build, stamped with this
# build's id (app/common/kernel_cache.py)
started=$SECONDS
shipped=dist/spaceops/_internal/numba_cache
mkdir -p "$shipped"
echo "$version-$(date -u +%Y%m%dT%H%M%SZ)-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$shipped/BUILD_ID"
SPACEOPS_KERNEL_CACHE=$PWD/$shipped dist/spaceops/spaceops warm-up --quiet
echo "build: kernels compiled in $((SECONDS - started)) s" >&2

# the desktop entry, icons and AppStream entry, laid out as under /usr/share
share=dist/spaceops/share
install -Dm644 packaging/spaceops.desktop "$share/applications/spaceops.desktop"
install -Dm644 packaging/org.coalition.spaceops.metainfo.xml "$share/metainfo/org.coalition.spaceops.metainfo.xml"
mkdir -p "$share/icons/hicolor/scalable/apps"
cp -r resources/icons/hicolor/. "$share/icons/hicolor/"
cp resources/icons/spaceops.svg "$share/icons/hicolor/scalable/apps/spaceops.svg"

tarball=dist/spaceops-$version-linux-x86_64.tar.gz
tar -C dist -czf "$tarball" spaceops
echo "build: dist/spaceops $(du -sh dist/spaceops | cut -f1) unpacked, $tarball $(du -sh "$tarball" | cut -f1)" >&2
