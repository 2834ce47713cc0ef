#!/usr/bin/env bash
# Rebuilds the example plugins' .wasm files from source, with DWARF and no machine paths.
#   scripts/build-examples.sh            rebuild and overwrite examples/*/*.wasm
#   scripts/build-examples.sh --out DIR  write the .wasm files to DIR instead (for comparison)
#
# Rust mixes the absolute path of path dependencies into symbol hashes, so the sources are
# copied to one fixed directory and built there: the output is then byte-identical wherever the
# repository is cloned. DWARF paths are remapped to /qirvo (sources) and /cargo (registry).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=""
if [ "${1:-}" = "--out" ]; then
    out=$(mkdir -p "$2" && cd "$2" && pwd)
fi

stage=/tmp/qirvo-examples-build
exec 9>"$stage.lock"
flock 9
mkdir -p "$stage"
rm -rf "$stage/examples" "$stage/pdk"
cp -r "$root/examples" "$root/pdk" "$stage/"
find "$stage/examples" -name '*.wasm' -delete

cargo_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTFLAGS="--remap-path-prefix=$stage=/qirvo --remap-path-prefix=$cargo_home=/cargo"
export CARGO_TARGET_DIR="$stage/target"
cargo build --manifest-path "$stage/examples/Cargo.toml" --target wasm32-wasip1 --release --locked --quiet

destination() {
    if [ -n "$out" ]; then
        mkdir -p "$out/$1"
        echo "$out/$1"
    else
        echo "$root/examples/$1"
    fi
}

for name in hello counter fetch events infinite-loop memory-hog trap forbidden-import files command variables std-values std-values-o1; do
    file=${name//-/_}.wasm
    cp "$CARGO_TARGET_DIR/wasm32-wasip1/release/$file" "$(destination "$name")/$file"
done

# The C example: a wasi-libc reactor whose exports are named in the source.
(cd "$stage" && clang --target=wasm32-wasi -O1 -g \
    -fdebug-prefix-map="$stage"=/qirvo \
    -mexec-model=reactor -Ipdk/c \
    -o "$(destination c-hello)/c_hello.wasm" examples/c-hello/c_hello.c)

# The debugger fixture: the same C source at -O0 and at -O1 (optimised-out values).
for level in 0 1; do
    suffix=$([ "$level" = 1 ] && echo _o1 || true)
    (cd "$stage" && clang --target=wasm32-wasi -O"$level" -g \
        -fdebug-prefix-map="$stage"=/qirvo \
        -mexec-model=reactor -Ipdk/c \
        -o "$(destination c-variables)/c_variables$suffix.wasm" examples/c-variables/c_variables.c)
done

# The C++ debugger fixture: libc++ (Debian's libc++-14-dev-wasm32 and libc++abi-14-dev-wasm32)
# at -O0. The prebuilt libc++.a and libc++abi.a carry their own DWARF, whose paths are Debian's
# build directory (/build/llvm-toolchain-14-*), the same wherever that package is installed.
(cd "$stage" && clang++ --target=wasm32-wasi -std=c++17 -O0 -g -fno-exceptions \
    -fdebug-prefix-map="$stage"=/qirvo \
    -mexec-model=reactor -Ipdk/c \
    -o "$(destination cpp-values)/cpp_values.wasm" examples/cpp-values/cpp_values.cpp)
