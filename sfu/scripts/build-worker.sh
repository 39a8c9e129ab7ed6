#!/usr/bin/env bash
# Builds the mediasoup-worker binary for the installed mediasoup package, offline.
#
# Why this exists: mediasoup's own postinstall downloads a prebuilt worker from
# GitHub or, failing that, builds with meson subprojects it downloads. Neither is
# reachable here. mediasoup 3.12.16's wraps name exactly the library versions that
# Debian 12 ships, so we build its worker sources against Debian's -dev packages
# instead: each meson subproject is replaced by a tiny stub that returns
# dependency('<system lib>'). See sfu/README.md.
#
# Idempotent and cached: when the binary already exists, runs, and was built from
# the same mediasoup version + patches + this script, nothing is rebuilt.
#
# Usage: bash scripts/build-worker.sh [--force]
# Env:
#   SFU_WORKER_CACHE_DIR  cache root (default: sfu/.cache); must match what
#                         mediasoupWorkerBinaryPath() uses at run time.
#   MEDIASOUP_PKG_DIR     mediasoup package folder (default: resolved from sfu/).
#   SFU_WORKER_NO_APT=1   never apt-get install; only report missing packages.
#   SFU_WORKER_NO_LINK=1  do not symlink the binary into the mediasoup package.
set -euo pipefail

readonly MEDIASOUP_VERSION_EXPECTED="3.12.16"
# meson >= 1.1 is required by the worker's meson.build; Debian 12 has 1.0.1.
# Pinned so that every machine configures the same way.
readonly MESON_VERSION="1.12.1"

SFU_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${SFU_WORKER_CACHE_DIR:-$SFU_DIR/.cache}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[build-worker] %s\n' "$*" >&2; }
die() { printf '[build-worker] ERROR: %s\n' "$*" >&2; exit 1; }

# --- Locate the installed mediasoup package ------------------------------------
if [[ -n "${MEDIASOUP_PKG_DIR:-}" ]]; then
  MS_PKG_DIR="$(cd "$MEDIASOUP_PKG_DIR" && pwd)"
else
  MS_PKG_JSON="$(cd "$SFU_DIR" && node -p "require.resolve('mediasoup/package.json')" 2>/dev/null)" ||
    die "mediasoup is not installed. From the repo root run: MEDIASOUP_WORKER_BIN=$CACHE_ROOT/mediasoup-worker-$MEDIASOUP_VERSION_EXPECTED/mediasoup-worker npm install"
  MS_PKG_DIR="$(dirname "$MS_PKG_JSON")"
fi
MS_VERSION="$(node -p "require('$MS_PKG_DIR/package.json').version")"
[[ "$MS_VERSION" == "$MEDIASOUP_VERSION_EXPECTED" ]] ||
  die "found mediasoup $MS_VERSION at $MS_PKG_DIR, but only $MEDIASOUP_VERSION_EXPECTED builds offline against Debian 12"
[[ -f "$MS_PKG_DIR/worker/meson.build" ]] || die "no worker sources in $MS_PKG_DIR/worker"

OUT_DIR="$CACHE_ROOT/mediasoup-worker-$MS_VERSION"
BIN="$OUT_DIR/mediasoup-worker"
PATCH_DIR="$SFU_DIR/scripts/patches"

# The cache key covers everything that changes the binary's content.
build_key() {
  {
    echo "mediasoup $MS_VERSION"
    echo "meson $MESON_VERSION"
    sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
    for p in "$PATCH_DIR"/*.patch; do
      if [[ -e "$p" ]]; then sha256sum "$p" | cut -d' ' -f1; fi
    done
  } | sha256sum | cut -d' ' -f1
}
KEY="$(build_key)"

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

if [[ $FORCE -eq 0 ]] && binary_runs && [[ "$(cat "$OUT_DIR/build-key" 2>/dev/null)" == "$KEY" ]]; then
  link_into_package
  log "cached: $BIN"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
# Serialize concurrent builds (e.g. two terminals, or test + bootstrap).
exec 9>"$CACHE_ROOT/.build-worker.lock"
flock 9
# Another process may have finished the build while we waited for the lock.
if [[ $FORCE -eq 0 ]] && binary_runs && [[ "$(cat "$OUT_DIR/build-key" 2>/dev/null)" == "$KEY" ]]; then
  link_into_package
  log "cached (built by a concurrent run): $BIN"
  exit 0
fi

START=$(date +%s)

# --- System packages --------------------------------------------------------------
readonly APT_PACKAGES=(g++ libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev
  nlohmann-json3-dev ninja-build pkg-config python3-venv)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ "${SFU_WORKER_NO_APT:-}" != "1" && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing missing Debian packages: ${missing[*]}"
    # The lock timeout lets us wait for another apt run instead of failing.
    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}" >&2 ||
      { apt-get -o DPkg::Lock::Timeout=900 update >&2 &&
        apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}" >&2; } ||
      die "apt-get install failed for: ${missing[*]}"
  else
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
  fi
fi

# --- meson from PyPI, in a private virtualenv ---------------------------------------
VENV="$CACHE_ROOT/venv"
PYTHON="${PYTHON:-python3}"
if ! "$VENV/bin/meson" --version 2>/dev/null | grep -qx "$MESON_VERSION"; then
  log "creating $VENV with meson $MESON_VERSION"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || /usr/bin/python3 -m venv "$VENV" || die "python3 -m venv failed (install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "meson==$MESON_VERSION" >&2
fi
MESON="$VENV/bin/meson"

# --- Copy the worker sources out of node_modules, patch, and stub subprojects -------
# Building in a copy keeps node_modules pristine (a reinstall never breaks) and
# lets us apply patches without touching the package.
WORK="$CACHE_ROOT/worker-src-$MS_VERSION"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -a "$MS_PKG_DIR/worker/." "$WORK/"
rm -rf "$WORK/out" # the package's own out/ may hold our symlink

for p in "$PATCH_DIR"/*.patch; do
  [[ -e "$p" ]] || continue
  log "applying $(basename "$p")"
  patch -d "$WORK" -p1 --forward --quiet <"$p" || die "patch $(basename "$p") does not apply"
done

# The stub directory must be named like the wrap's `directory =` line: meson uses an
# existing directory as the subproject and, with --wrap-mode=nodownload, never fetches.
wrap_dir() {
  local d
  d="$(sed -n 's/^directory *= *//p' "$WORK/subprojects/$1.wrap" | tr -d '[:space:]')"
  [[ -n "$d" ]] || die "no directory= in $1.wrap"
  echo "$WORK/subprojects/$d"
}

# stub NAME MESON_BUILD [MESON_OPTIONS]
stub() {
  local dir
  dir="$(wrap_dir "$1")"
  mkdir -p "$dir"
  printf '%s\n' "$2" >"$dir/meson.build"
  printf '%s\n' "${3:-}" >"$dir/meson_options.txt"
}

# Each stub declares the variables the worker's meson.build (and
# deps/libwebrtc/meson.build) reads with get_variable(). The *_lib variables are
# only used for link_whole of the (unbuilt) shared-library target, so [] is fine.
stub openssl "project('openssl', 'c')
openssl_dep = dependency('openssl', version: '>= 3.0')
libcrypto_lib = []
libssl_lib = []"

stub nlohmann_json "project('nlohmann_json', 'cpp')
nlohmann_json_dep = dependency('nlohmann_json', version: '>= 3.10')"

stub libuv "project('libuv', 'c')
libuv_dep = dependency('libuv', version: '>= 1.44')
libuv = []" "option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)"

# Debian installs srtp.h under <includedir>/srtp2 but its .pc file does not say so.
stub libsrtp2 "project('libsrtp2', 'c')
srtp_sys = dependency('libsrtp2', version: '>= 2.5')
libsrtp2_dep = declare_dependency(
  dependencies: srtp_sys,
  compile_args: ['-I' + srtp_sys.get_variable(pkgconfig: 'includedir') / 'srtp2'],
)
libsrtp2 = []" "option('crypto-library', type: 'combo', choices: ['none', 'openssl', 'nss', 'mbedtls'], value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'auto')
option('tests', type: 'feature', value: 'disabled')"

stub usrsctp "project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = []" "option('sctp_build_programs', type: 'boolean', value: false)"

stub abseil-cpp "project('abseil-cpp', 'cpp')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_btree'),
  dependency('absl_inlined_vector'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [
  dependency('absl_optional'),
  dependency('absl_variant'),
])
absl_container_lib = []"

# Only the worker's own unit tests use Catch2; we never build them.
stub catch2 "project('catch2', 'cpp')
catch2_dep = declare_dependency()"

# --- Configure and build ---------------------------------------------------------------
BUILD="$WORK/out/build"
log "meson setup (offline, release)"
(cd "$WORK" && "$MESON" setup --wrap-mode=nodownload --buildtype=release "$BUILD" >"$CACHE_ROOT/meson-setup.log" 2>&1) ||
  { tail -40 "$CACHE_ROOT/meson-setup.log" >&2; die "meson setup failed (full log: $CACHE_ROOT/meson-setup.log)"; }

log "ninja mediasoup-worker ($(nproc) cores; takes a few minutes)"
ninja -C "$BUILD" mediasoup-worker >"$CACHE_ROOT/ninja.log" 2>&1 ||
  { tail -40 "$CACHE_ROOT/ninja.log" >&2; die "compile failed (full log: $CACHE_ROOT/ninja.log)"; }

# Install atomically so a concurrent reader never sees a half-written binary.
mkdir -p "$OUT_DIR"
cp "$BUILD/mediasoup-worker" "$OUT_DIR/.mediasoup-worker.tmp"
strip "$OUT_DIR/.mediasoup-worker.tmp" 2>/dev/null || true
mv -f "$OUT_DIR/.mediasoup-worker.tmp" "$BIN"
binary_runs || die "built $BIN but it does not start (ldd $BIN shows missing libraries?)"
echo "$KEY" >"$OUT_DIR/build-key"

# The build tree is ~100 MB and only useful for a rebuild, which starts afresh anyway.
rm -rf "$WORK"
link_into_package
log "built $BIN in $(($(date +%s) - START)) s"
