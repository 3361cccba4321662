#!/usr/bin/env bash
# The Rust lint gate: rustfmt (rust/rustfmt.toml), then clippy on every target with warnings as
# errors. Every `unsafe` block needs a `// SAFETY:` comment: clippy's undocumented_unsafe_blocks,
# set to deny in rust/Cargo.toml [lints.clippy] (and repeated on the command line).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/rust"
say "cargo fmt --check"
cargo fmt --check
offline=()
if ! curl -fsS --max-time 5 -o /dev/null https://index.crates.io/config.json 2>/dev/null; then
  # NOTE: cargo-clippy runs its own `cargo check`, which does not get the global `--offline` and
  # `--config` that scripts/cargo.sh puts before the subcommand: repeat them after it.
  offline=(--offline --config 'source.crates-io.replace-with="debian"'
    --config 'source.debian.directory="/usr/share/cargo/registry"')
fi
say "cargo clippy --all-targets (warnings are errors)"
bash "$ROOT/scripts/cargo.sh" clippy "${offline[@]}" --release --all-targets -- \
  -D warnings -D clippy::undocumented_unsafe_blocks
