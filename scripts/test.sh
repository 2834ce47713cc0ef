#!/usr/bin/env bash
# The project's test command (README "Run the tests"); .ci/run calls exactly this.
# Installs what the tests need, then checks formatting, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The wasm target rebuilds the example plugins; clang, lld and wasi-libc build the C examples,
# libc++ the C++ one.
if ! rustup target list --installed | grep -qx wasm32-wasip1; then
    rustup target add wasm32-wasip1
fi
if ! command -v clang >/dev/null || [ ! -e /usr/lib/wasm32-wasi/libc.a ] ||
    [ ! -e /usr/lib/wasm32-wasi/libc++.a ] ||
    ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a" >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang lld wasi-libc libclang-rt-14-dev-wasm32 \
            libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 >/dev/null
    else
        echo "warning: clang/wasi-libc missing and cannot be installed here; the C example check is skipped" >&2
    fi
fi

log=$(mktemp)
editors_log=$(mktemp)
trap 'rm -f "$log" "$editors_log"' EXIT

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked 2>&1 | tee "$log"

# The editor integrations, against the qirvo binary the tests above built (installs Neovim
# and the extension's npm packages; editors/README.md).
editors=0
QIRVO_BIN="$PWD/target/debug/qirvo" bash editors/test.sh 2>&1 | tee "$editors_log" || editors=$?

# One closing line for the whole run (cargo prints one per test binary, the editors one).
awk '/^test result:/ { passed += $4; failed += $6; ignored += $8 }
     /^editors: [0-9]+ passed/ { passed += $2; failed += $4; ignored += $6 }
     END { printf "%d passed, %d failed, %d skipped\n", passed, failed, ignored }' "$log" "$editors_log"
exit "$editors"
