# Sourced by the scripts: puts npm's wasm-opt (binaryen 132) first on PATH, so the site build (and
# cargo-leptos, for those who use it) neither downloads one nor picks up a broken system copy.
ATS_BRIDGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ATS_BRIDGE_ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
