#!/usr/bin/env bash
# Builds the mediasoup-worker binary for the installed mediasoup package, offline,
# and prints its absolute path as the only line on stdout (all logs go to stderr).
#
# Why this exists: mediasoup's own postinstall downloads a prebuilt worker from
# GitHub or, failing that, builds with meson subprojects it downloads. Neither is
# reachable here. So we build the package's own worker sources against Debian 12's
# -dev packages: each meson subproject is replaced by a stand-in from
# scripts/worker-subprojects/ that returns the system library, and the few places
# where Debian's versions differ from mediasoup's are patched (scripts/patches/).
# See sfu/README.md.
#
# Cached per machine, not per clone: the binary lives in a content-addressed folder
# under the user's cache directory, keyed by everything that changes its content
# (mediasoup version, meson version, this script and its helpers, the stand-ins, the
# patches). A second clone, or a rerun, finds it and only links it (well under 1 s).
#
# Usage: bash scripts/build-worker.sh [--force]
# Env:
#   SFU_WORKER_CACHE_DIR  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/konferenz/mediasoup-worker).
#   MEDIASOUP_PKG_DIR     mediasoup package folder (default: resolved from sfu/).
#   SFU_WORKER_NO_APT=1   never apt-get install; only report missing packages.
#   SFU_WORKER_NO_LINK=1  do not symlink the binary into the mediasoup package.
set -euo pipefail

# Callers read the binary's path from stdout: keep fd 3 for that one line and send
# everything else, including any tool's chatter, to stderr.
exec 3>&1 1>&2

readonly MEDIASOUP_VERSION_EXPECTED="3.27.1"
# meson >= 1.1 is required by the worker's meson.build; Debian 12 has 1.0.1.
# Pinned so that every machine configures the same way.
readonly MESON_VERSION="1.12.1"

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SFU_DIR="$(dirname "$SCRIPTS_DIR")"
PATCH_DIR="$SCRIPTS_DIR/patches"
STANDINS_DIR="$SCRIPTS_DIR/worker-subprojects"
# Absolute, because the binary's path is what callers get and keep.
CACHE_ROOT="$(realpath -m "${SFU_WORKER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/konferenz/mediasoup-worker}")"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[build-worker] %s\n' "$*" >&2; }
die() { printf '[build-worker] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=ninja-progress.sh
source "$SCRIPTS_DIR/ninja-progress.sh"

# --- Locate the installed mediasoup package ------------------------------------
if [[ -n "${MEDIASOUP_PKG_DIR:-}" ]]; then
  MS_PKG_DIR="$(cd "$MEDIASOUP_PKG_DIR" && pwd)"
else
  # mediasoup's "exports" hide package.json; its entry point is <package>/node/lib/index.js.
  MS_ENTRY="$(cd "$SFU_DIR" && node -p "require.resolve('mediasoup')" 2>/dev/null)" ||
    die "mediasoup is not installed. From the repo root run: MEDIASOUP_WORKER_BIN=skip-postinstall npm install"
  MS_PKG_DIR="$(cd "$(dirname "$MS_ENTRY")/../.." && pwd)"
fi
MS_VERSION="$(sed -n 's/^\s*"version": *"\([^"]*\)".*/\1/p' "$MS_PKG_DIR/package.json" | head -1)"
[[ "$MS_VERSION" == "$MEDIASOUP_VERSION_EXPECTED" ]] ||
  die "found mediasoup $MS_VERSION at $MS_PKG_DIR, but this script builds $MEDIASOUP_VERSION_EXPECTED"
[[ -f "$MS_PKG_DIR/worker/meson.build" ]] || die "no worker sources in $MS_PKG_DIR/worker"

# The cache key covers everything that changes the binary's content. File names
# are hashed too, so renaming or reordering patches gives a new key.
build_key() {
  {
    echo "mediasoup $MS_VERSION"
    echo "meson $MESON_VERSION"
    cd "$SCRIPTS_DIR"
    find build-worker.sh ninja-progress.sh worker-subprojects patches -type f -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}
OUT_DIR="$CACHE_ROOT/$MS_VERSION-$(build_key)"
BIN="$OUT_DIR/mediasoup-worker"

# The worker refuses to run without MEDIASOUP_VERSION and exits with 41: a cheap
# check that the binary starts and all its shared libraries resolve.
binary_runs() {
  [[ -x "$BIN" ]] || return 1
  local rc=0
  env -u MEDIASOUP_VERSION "$BIN" >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 41 ]]
}

# Points the library's default path (node_modules/mediasoup/worker/out/Release)
# at the cached binary, so code that requires mediasoup without setting
# MEDIASOUP_WORKER_BIN works too. A reinstall simply removes the link.
link_into_package() {
  [[ "${SFU_WORKER_NO_LINK:-}" == "1" ]] && return 0
  local dest="$MS_PKG_DIR/worker/out/Release/mediasoup-worker"
  if [[ "$(readlink "$dest" 2>/dev/null || true)" != "$BIN" ]]; then
    if mkdir -p "$(dirname "$dest")" 2>/dev/null && ln -sfn "$BIN" "$dest" 2>/dev/null; then
      log "linked $dest -> $BIN"
    else
      log "note: could not link into $MS_PKG_DIR (read-only?); set MEDIASOUP_WORKER_BIN=$BIN"
    fi
  fi
}

finish() {
  link_into_package
  printf '%s\n' "$BIN" >&3
  exit 0
}

if [[ $FORCE -eq 0 ]] && binary_runs; then
  log "cached: $BIN"
  finish
fi

mkdir -p "$CACHE_ROOT"
# Serialize concurrent builds (two terminals, two clones, test + bootstrap).
exec 9>"$CACHE_ROOT/.build-worker.lock"
flock 9
# Another process may have finished the build while we waited for the lock.
if [[ $FORCE -eq 0 ]] && binary_runs; then
  log "cached (built by a concurrent run): $BIN"
  finish
fi

START=$SECONDS
log "building mediasoup-worker $MS_VERSION from source: this happens once per machine (a few minutes); later runs and other clones reuse $OUT_DIR"

# --- System packages --------------------------------------------------------------
readonly APT_PACKAGES=(g++ libssl-dev libuv1-dev libsrtp2-dev libabsl-dev
  flatbuffers-compiler libflatbuffers-dev ninja-build pkg-config python3-venv)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ "${SFU_WORKER_NO_APT:-}" != "1" && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing missing Debian packages: ${missing[*]}"
    # The lock timeout lets us wait for another apt run instead of failing.
    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}" ||
      { apt-get -o DPkg::Lock::Timeout=900 update &&
        apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"; } ||
      die "apt-get install failed for: ${missing[*]}"
  else
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
  fi
fi

# --- meson from PyPI, in a private virtualenv ---------------------------------------
VENV="$CACHE_ROOT/venv-meson-$MESON_VERSION"
PYTHON="${PYTHON:-python3}"
if ! "$VENV/bin/meson" --version 2>/dev/null | grep -qx "$MESON_VERSION"; then
  log "creating $VENV with meson $MESON_VERSION"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || /usr/bin/python3 -m venv "$VENV" || die "python3 -m venv failed (install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "meson==$MESON_VERSION"
fi
MESON="$VENV/bin/meson"

# --- Copy the worker sources out of node_modules, patch, and put in the stand-ins ---
# Building in a copy keeps node_modules pristine (a reinstall never breaks) and
# lets us apply patches without touching the package.
WORK="$CACHE_ROOT/.work-$(basename "$OUT_DIR")"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -a "$MS_PKG_DIR/worker/." "$WORK/"
rm -rf "$WORK/out" # the package's own out/ may hold our symlink

for p in "$PATCH_DIR"/*.patch; do
  [[ -e "$p" ]] || continue
  log "applying $(basename "$p")"
  patch -d "$WORK" -p1 --forward --quiet <"$p" || die "patch $(basename "$p") does not apply"
done

# A stand-in must sit in the folder named by the wrap's `directory =` line: meson
# uses an existing folder as the subproject and, with --wrap-mode=nodownload, never
# fetches. A wrap without a stand-in here (wingetopt: Windows only) stays unused.
for standin in "$STANDINS_DIR"/*/; do
  name="$(basename "$standin")"
  wrap="$WORK/subprojects/$name.wrap"
  [[ -f "$wrap" ]] || die "mediasoup $MS_VERSION has no subprojects/$name.wrap; update $STANDINS_DIR"
  dir="$(sed -n 's/^directory *= *//p' "$wrap" | tr -d '[:space:]')"
  [[ -n "$dir" ]] || die "no directory= in $name.wrap"
  cp -a "$standin" "$WORK/subprojects/$dir"
done

# --- Configure and build ---------------------------------------------------------------
BUILD="$WORK/out/build"
SETUP_LOG="$CACHE_ROOT/meson-setup.log"
NINJA_LOG="$CACHE_ROOT/ninja.log"
log "meson setup (offline, release)"
(cd "$WORK" && "$MESON" setup --wrap-mode=nodownload --buildtype=release "$BUILD" >"$SETUP_LOG" 2>&1) ||
  { tail -40 "$SETUP_LOG"; die "meson setup failed (full log: $SETUP_LOG)"; }

log "compiling on $(nproc) cores (full log: $NINJA_LOG)"
: >"$NINJA_LOG"
NINJA_STATUS='[%f/%t] ' nice -n 10 ninja -C "$BUILD" mediasoup-worker 2>&1 | report_ninja_progress "$NINJA_LOG" ||
  { grep -m5 -A5 'error' "$NINJA_LOG" || tail -40 "$NINJA_LOG"; die "compile failed (full log: $NINJA_LOG)"; }

# Install atomically so a concurrent reader never sees a half-written binary.
mkdir -p "$OUT_DIR"
cp "$BUILD/mediasoup-worker" "$OUT_DIR/.mediasoup-worker.tmp"
strip "$OUT_DIR/.mediasoup-worker.tmp" 2>/dev/null || true
mv -f "$OUT_DIR/.mediasoup-worker.tmp" "$BIN"
binary_runs || die "built $BIN but it does not start (ldd $BIN shows missing libraries?)"

# The build tree is a few hundred MB and only useful for a rebuild, which starts afresh anyway.
rm -rf "$WORK"
log "built $BIN in $(human_duration $((SECONDS - START)))"
finish
