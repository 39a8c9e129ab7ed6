#!/usr/bin/env bash
# Builds FerretDB (MongoDB wire protocol over SQLite) into .tools/bin/ferretdb for `npm start`
# and the integration tests. Needs Go >= 1.24 and the Go module proxy, nothing else.
set -euo pipefail

version=v1.24.2
module=github.com/FerretDB/FerretDB
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo/.tools/bin/ferretdb"

if [[ -x "$bin" && "$("$bin" --version 2>/dev/null)" == "version: $version"$'\n'* ]]; then
  echo "ferretdb $version already installed at $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<EOF
error: Go is not installed, and it is needed to build FerretDB $version (Go >= 1.24).
Install Go from https://go.dev/dl/ (Debian 12's golang-go is too old), then rerun:
  $0
Or point the server at an existing MongoDB instead: MONGODB_URI=mongodb://...
EOF
  exit 1
fi

# Use the installed Go rather than silently downloading another toolchain; a too old Go
# fails with "go.mod requires go >= 1.24", and GOTOOLCHAIN=auto may be set to allow it.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# The module proxy serves a zip, so no git is needed; the zip carries no VCS data either.
export GOFLAGS=-buildvcs=false GOWORK=off CGO_ENABLED=0

work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

# `go install $module/cmd/ferretdb@$version` builds a binary that panics at start-up: the
# release's build/version/version.txt is generated in FerretDB's own CI and is not part of
# the module. So build from a copy of the module source with that file added.
src="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$src" ]] || { echo "error: could not download $module@$version" >&2; exit 1; }
cp -R "$src" "$work/src"
chmod -R u+w "$work/src"
echo "$version" >"$work/src/build/version/version.txt"

mkdir -p "$(dirname "$bin")"
(cd "$work/src" && go build -trimpath -ldflags='-s -w' -o "$bin.tmp" ./cmd/ferretdb)
mv "$bin.tmp" "$bin"
echo "installed ferretdb $version at $bin"
