#!/usr/bin/env bash
# Builds the Rust miffy 1.0.1 (the system miffy replaces) from its source, once per machine, and
# prints the path of the cached binary. Used by `npm run compat` (and its test), `npm run bench`
# and .ci/run.
#
# The binary is cached OUTSIDE the clone, so every clone and worktree on this machine (and a CI
# run from a fresh clone) reuses one build:
#   ${MIFFY_PEER_CACHE:-$HOME/.cache/miffy-peers}/rust-miffy/<source stamp>/miffy
# The stamp is a hash of the source's *.rs and Cargo.* files: other source, other binary. Cargo's
# target dir (about 1 GB) is kept beside it (rust-miffy/target) so a rebuild is incremental.
#
# Where the source is: $RUST_MIFFY_SRC, else ../shared/peers/rust-miffy beside the project (or
# beside the main checkout, for a git worktree), else the source the last build on this machine used (recorded in the cache), so a clone made
# anywhere still finds it. A binary built by the earlier version of this script into
# .cache/rust-miffy/ from the same source is adopted instead of rebuilt.
#
# BUILD.md in the peer's folder lists the Debian packages the build needs; missing ones are
# installed with apt-get when this runs as root (CI), otherwise the script says which to install.
# Exit 2 with a message naming what is missing when it cannot build.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${MIFFY_PEER_CACHE:-$HOME/.cache/miffy-peers}/rust-miffy"

SRC="${RUST_MIFFY_SRC:-}"
if [ -z "$SRC" ]; then
  # A git worktree lives elsewhere: also look beside the main checkout it belongs to.
  common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  for candidate in ../shared/peers/rust-miffy "${common:+$common/../../shared/peers/rust-miffy}" \
    "$(cat "$CACHE/source" 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -f "$candidate/Cargo.toml" ]; then
      SRC="$candidate"
      break
    fi
  done
fi
if [ -z "$SRC" ] || [ ! -f "$SRC/Cargo.toml" ]; then
  echo "rust-miffy: no source of the Rust miffy 1.0.1 found (looked at \${RUST_MIFFY_SRC:-../shared/peers/rust-miffy}" \
    "and at the path recorded in $CACHE/source); set RUST_MIFFY_SRC to the folder holding its Cargo.toml" >&2
  exit 2
fi
SRC="$(cd "$SRC" && pwd)"

stamp=$(cd "$SRC" && find . -type f \( -name '*.rs' -o -name 'Cargo.*' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
OUT="$CACHE/$stamp"
BIN="$OUT/miffy"

done_with() {
  echo "$SRC" > "$CACHE/source"
  echo "$BIN"
  exit 0
}

mkdir -p "$CACHE"
[ -x "$BIN" ] && done_with

# One build at a time on this machine: a second caller waits for the first and uses its binary.
exec 9>"$CACHE/.lock"
flock 9
[ -x "$BIN" ] && done_with

# Adopt a binary the previous version of this script left in the clone's .cache/ (same source).
legacy=.cache/rust-miffy
if [ -x "$legacy/release/miffy" ] && [ "$(cat "$legacy/stamp" 2>/dev/null)" = "$stamp" ]; then
  mkdir -p "$OUT"
  cp "$legacy/release/miffy" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
  echo "rust-miffy: adopted the build in $legacy/ (source stamp $stamp)" >&2
  done_with
fi

need=()
for pkg in build-essential pkg-config libssl-dev libsasl2-dev libclang-dev zlib1g-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "rust-miffy: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 ||
      { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
  else
    echo "rust-miffy: missing Debian packages: ${need[*]} (apt-get install them; see $SRC/BUILD.md)" >&2
    exit 2
  fi
fi
if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null; then
  echo "rust-miffy: cargo not found: install Rust >= 1.85 with rustup (https://rustup.rs), see $SRC/BUILD.md" >&2
  exit 2
fi

echo "rust-miffy: building $SRC into $OUT (about 4-6 minutes the first time)" >&2
started=$(date +%s)
cargo build --release --locked --manifest-path "$SRC/Cargo.toml" --target-dir "$CACHE/target" >&2
mkdir -p "$OUT"
cp "$CACHE/target/release/miffy" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
echo "rust-miffy: built in $(($(date +%s) - started)) s" >&2
done_with
