# Sourced by scripts/run and scripts/test: puts npm's wasm-opt (binaryen 132) first on PATH, so
# cargo-leptos neither downloads one nor picks up a broken system copy.
ATS_BRIDGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ATS_BRIDGE_ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
