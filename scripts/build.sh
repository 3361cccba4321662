#!/usr/bin/env bash
# Builds the native library in release mode: rust/target/release/libcobalt.so.
# NOTE: no -C target-cpu=native: the library must run on any x86_64 (kernels dispatch at run time).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
say "building libcobalt (release)"
bash "$ROOT/scripts/cargo.sh" build --release --quiet
