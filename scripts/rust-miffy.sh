#!/usr/bin/env bash
# Builds the Rust miffy 1.0.1 (the system miffy replaces) from ../shared/peers/rust-miffy, once,
# and prints the path of the cached binary. Used by `npm run compat` and `npm run bench`.
#
# The binary is cached under .cache/rust-miffy/ together with a stamp of the source it was built
# from; a later call with the same source prints the path at once. BUILD.md in the peer's folder
# lists the Debian packages the build needs; missing ones are installed with apt-get when this
# runs as root (CI), otherwise the script says which to install.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC="${RUST_MIFFY_SRC:-../shared/peers/rust-miffy}"
OUT=.cache/rust-miffy
BIN="$OUT/release/miffy"
if [ ! -f "$SRC/Cargo.toml" ]; then
  echo "rust-miffy: no source at $SRC (expected ../shared/peers/rust-miffy beside the project)" >&2
  exit 2
fi
stamp=$(cd "$SRC" && find . -type f \( -name '*.rs' -o -name 'Cargo.*' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ -x "$BIN" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$BIN"
  exit 0
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
    echo "rust-miffy: missing Debian packages: ${need[*]} (see $SRC/BUILD.md)" >&2
    exit 2
  fi
fi
if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null || { echo "rust-miffy: cargo not found (install Rust ≥ 1.85 with rustup)" >&2; exit 2; }

echo "rust-miffy: building $SRC (about 4-6 minutes the first time)" >&2
mkdir -p "$OUT"
cargo build --release --locked --manifest-path "$SRC/Cargo.toml" --target-dir "$OUT" >&2
echo "$stamp" > "$OUT/stamp"
echo "$BIN"
