#!/usr/bin/env bash
# Installs real VS Code for the workbench test (workbench.test.mjs): code-server from the npm
# registry (VS Code's own workbench, served to a browser), playwright-core to drive it, and
# Debian's chromium. Everything pinned; idempotent (a stamp file records what is installed).
#
# Usage: bash editors/vscode/e2e/install.sh [DIR]
#   DIR  default $QIRVO_VSCODE_E2E_DIR, else <repo>/target/vscode-e2e
# Exit status: 0 installed (or already was), 77 cannot install here (not root and system
# packages missing, no Node 20, or the npm registry unreachable), anything else a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
DIR=${1:-${QIRVO_VSCODE_E2E_DIR:-$repo/target/vscode-e2e}}
# code-server 4.100.3 (VS Code 1.100.3) is the newest whose engines.node is 20.
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
# @vscode/ripgrep as pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json, and the
# ripgrep release tag that package version downloads.
RG_PKG_VERSION=1.15.11
RG_TAG=v13.0.0-10
stamp_text="code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION node@$(node --version 2>/dev/null || echo none)"

skip() {
    echo "vscode-e2e: skipped: cannot install code-server here: $*" >&2
    exit 77
}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ -f "$DIR/stamp" ] && [ "$(cat "$DIR/stamp")" = "$stamp_text" ] &&
    [ -x "$DIR/node_modules/.bin/code-server" ] && [ -x /usr/bin/chromium ]; then
    echo "vscode-e2e: already installed in $DIR ($stamp_text)"
    exit 0
fi

case $(node --version 2>/dev/null) in
v20.*) ;;
*) skip "code-server $CODE_SERVER_VERSION needs Node 20 (found: $(node --version 2>/dev/null || echo no node))" ;;
esac

# 1) System packages: compilers and headers for code-server's native modules (node-pty,
#    kerberos, spdlog, native-watchdog, argon2, ...), Debian's chromium for playwright, and
#    Debian's ripgrep (see 2).
packages="build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium ripgrep"
missing=
for p in $packages; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "vscode-e2e: apt-get install$missing"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; } ||
            skip "apt-get install$missing failed"
    else
        skip "missing Debian packages:$missing (installing them needs root and apt-get)"
    fi
fi

# 2) @vscode/ripgrep's postinstall downloads a release asset from GitHub unless it is already
#    in its cache, $TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<tag>-<target>.tar.gz:
#    seed that cache with Debian's /usr/bin/rg.
export TMPDIR=$DIR/tmp
cache=$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION
mkdir -p "$cache" "$TMPDIR/rgstage"
cp /usr/bin/rg "$TMPDIR/rgstage/rg"
tar czf "$cache/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rgstage" rg

# 3) npm: root needs unsafe-perm (code-server's postinstall checks it); node-gyp uses the
#    installed Node headers (/usr/include/node) instead of downloading them; build-from-source
#    keeps node-pre-gyp/prebuild-install (argon2, kerberos) off GitHub; node-pty's postinstall
#    runs `npx node-gyp`, which must not ask; one compile job at a time.
export npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_build_from_source=true
export npm_config_yes=true npm_config_jobs=1 JOBS=1 MAKEFLAGS=-j1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# npm's cache and node-gyp's downloads stay in DIR too (HOME may not be writable).
export npm_config_cache=$DIR/npm-cache npm_config_devdir=$DIR/node-gyp HOME=${HOME:-$DIR/home}
[ -w "$HOME" ] || export HOME=$DIR/home
# State code-server writes (config.yaml on every start) stays in DIR.
export XDG_CONFIG_HOME=$DIR/home/config XDG_DATA_HOME=$DIR/home/data XDG_CACHE_HOME=$DIR/home/cache
rm -f "$DIR/stamp"
cd "$DIR"
printf '{"name":"qirvo-vscode-e2e","private":true}\n' >package.json
if ! npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"; then
    if ! npm ping >/dev/null 2>&1; then
        skip "the npm registry is unreachable"
    fi
    echo "vscode-e2e: npm install failed" >&2
    exit 1
fi
"$DIR/node_modules/.bin/code-server" --version
echo "$stamp_text" >"$DIR/stamp"
echo "vscode-e2e: installed in $DIR"
