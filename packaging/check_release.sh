#!/usr/bin/env bash
# The release check: build the frozen program, then smoke-test it as an air-gapped
# workstation would run it: from its tarball unpacked elsewhere, with an empty home, no
# network (an empty network namespace where the machine allows one) and no Python packages.
#   bash packaging/check_release.sh [--no-build]
# Prints each step's time and the sizes; exits 1 at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [[ "${1:-}" != "--no-build" ]]; then
    bash packaging/build.sh
fi
tarball=$(ls -t dist/spaceops-*-linux-x86_64.tar.gz | head -1)

WORK=$(mktemp -d /tmp/spaceops-release.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home" "$WORK/out"
tar -C "$WORK" -xzf "$tarball"
APP=$WORK/spaceops/spaceops
touch "$WORK/started"

# An empty home, no display unless Xvfb gives one, no network where unshare allows it.
ISOLATE=(env -i PATH=/usr/bin:/bin HOME="$WORK/home" LANG=C.UTF-8 XDG_CONFIG_HOME="$WORK/home/.config"
         XDG_DATA_HOME="$WORK/home/.local/share" XDG_CACHE_HOME="$WORK/home/.cache")
if unshare -n true 2>/dev/null; then
    ISOLATE=(unshare -n "${ISOLATE[@]}")
    network="none (empty network namespace)"
else
    network="the machine's (unshare -n is not allowed here)"
fi

failures=0
step() {  # step NAME EXPECTED_EXIT COMMAND...: run it isolated, time it, keep its output
    local name=$1 expected=$2; shift 2
    local started=$SECONDS code=0
    "${ISOLATE[@]}" "$@" > "$WORK/out/$name.out" 2> "$WORK/out/$name.err" || code=$?
    if [[ $code -eq $expected ]]; then
        printf 'release: %-22s ok    %3d s\n' "$name" $((SECONDS - started))
    else
        printf 'release: %-22s FAIL  exit %d (wanted %d)\n' "$name" $code "$expected"
        tail -20 "$WORK/out/$name.err" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}
expect_in() {  # expect_in NAME TEXT: the step's stdout holds TEXT
    grep -q -- "$2" "$WORK/out/$1.out" || { echo "release: $1: output lacks '$2'"; failures=$((failures + 1)); }
}

scenarios=$WORK/spaceops/_internal/resources/scenarios
step version 0 "$APP" --version
expect_in version "spaceops"
step catalog-info 0 "$APP" catalog info
expect_in catalog-info '"objects": 18700'
step propagate 0 "$APP" propagate --at 2026-08-12T00:00:00Z --ids 25544
expect_in propagate '"norad_id": 25544'
step passes 0 "$APP" passes --norad 25544 --sensor Fylingdales --start 2026-08-12T00:00:00Z --hours 24
expect_in passes '"aos_utc"'
step warm-up 0 "$APP" warm-up
step passes-all 0 "$APP" passes --all --group "GEO belt" --sensor Socorro --start 2026-08-12T00:00:00Z --hours 2
expect_in passes-all '"aos_utc"'
step screen 0 "$APP" screen --primary 25544 --start 2026-08-12T00:00:00Z --hours 24 --threshold-km 20
step screen-all 0 "$APP" screen --all --start 2026-08-12T00:00:00Z --hours 0.5 --threshold-km 2
step scenario-validate 0 "$APP" scenario validate "$scenarios/geo_rpo_inspection.yaml"
step scenario-run 0 "$APP" scenario run "$scenarios/leo_breakup_tasking_surge.yaml" --events-out "$WORK/out/events.jsonl"
step tasking-list 0 "$APP" tasking list
step watchlist-list 0 "$APP" watchlist list
step events-list 0 "$APP" events list
step sensors-list 0 "$APP" sensors list
expect_in sensors-list "Fylingdales"
step cdm 0 "$APP" cdm "$ROOT/tests/data/cdm/orekit_AlfanoTestCase01.cdm"
expect_in cdm '"pc_foster"'
step omm-catalog 0 "$APP" catalog info "$ROOT/tests/data/python-sgp4_sample_omm.xml"
# the PostgreSQL driver is in the build: with no server to reach the floor command says the
# database cannot be used (exit 4), not that a driver is missing
step floor-driver 4 "$APP" floor list-operators --database postgresql+psycopg://nobody@127.0.0.1:9/floor
if grep -qi "driver\|psycopg.*not installed\|No module" "$WORK/out/floor-driver.err"; then
    echo "release: floor-driver: the PostgreSQL driver is missing from the build"; failures=$((failures + 1))
fi
step classroom-help 0 "$APP" classroom --help
if command -v Xvfb >/dev/null; then
    step screenshot 0 "$APP" screenshot --out "$WORK/out/shot.png" --at 2026-08-12T09:30:00Z --select 25544 --size 1366x768
    step screenshot-pixels 0 python3 "$ROOT/packaging/frozen/check_png.py" "$WORK/out/shot.png"
    cat "$WORK/out/screenshot-pixels.out"
    step console 0 env SPACEOPS_QUIT_AFTER_FIRST_FRAME=1 xvfb-run -a -s "-screen 0 1366x768x24" "$APP"
    step console-again 0 env SPACEOPS_QUIT_AFTER_FIRST_FRAME=1 xvfb-run -a -s "-screen 0 1920x1080x24" "$APP"
else
    echo "release: screenshot and console starts skipped: Xvfb is not installed"
fi

# The kernels came compiled with the build: warm-up only loaded them.
grep -q "screening and pass kernels ready" "$WORK/out/warm-up.err" && cat "$WORK/out/warm-up.err" | tail -1
written=$(find "$WORK/spaceops" -newer "$WORK/started" | head -5)
if [[ -n "$written" ]]; then
    echo "release: the program wrote next to itself:"; echo "$written"; failures=$((failures + 1))
fi

echo "release: network during the checks: $network"
echo "release: unpacked $(du -sh "$WORK/spaceops" | cut -f1), tarball $(du -sh "$tarball" | cut -f1) ($tarball)"
if (( failures )); then
    echo "release: $failures check(s) failed"
    exit 1
fi
echo "release: all checks passed"
