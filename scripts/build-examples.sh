#!/usr/bin/env bash
# Rebuilds the example plugins' .wasm files from source, with DWARF and no machine paths.
#   scripts/build-examples.sh            rebuild and overwrite examples/*/*.wasm
#   scripts/build-examples.sh --out DIR  write the .wasm files to DIR instead (for comparison)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=""
if [ "${1:-}" = "--out" ]; then
    out=$2
    mkdir -p "$out"
fi

# Paths in DWARF: the repository becomes /qirvo, cargo's home /cargo.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTFLAGS="--remap-path-prefix=$root=/qirvo --remap-path-prefix=$cargo_home=/cargo"
export CARGO_TARGET_DIR="$root/target/examples"
cargo build --manifest-path "$root/examples/Cargo.toml" --target wasm32-wasip1 --release --locked --quiet

rust_examples="hello counter fetch events infinite-loop memory-hog trap forbidden-import"
for name in $rust_examples; do
    file=${name//-/_}.wasm
    dest=${out:-$root/examples/$name}
    [ -n "$out" ] && dest=$out/$name && mkdir -p "$dest"
    cp "$CARGO_TARGET_DIR/wasm32-wasip1/release/$file" "$dest/$file"
done

# The C example: wasi-libc reactor, exports named in the source.
dest=${out:-$root/examples/c-hello}
[ -n "$out" ] && dest=$out/c-hello && mkdir -p "$dest"
(cd "$root" && clang --target=wasm32-wasi -O1 -g \
    -fdebug-prefix-map="$root"=/qirvo -ffile-prefix-map="$root"=/qirvo \
    -mexec-model=reactor -Ipdk/c \
    -o "$dest/c_hello.wasm" examples/c-hello/c_hello.c)
