#!/usr/bin/env bash
# Rust unit and integration tests, then the C program against cobalt.h and the release library.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/rust"
bash "$ROOT/scripts/cargo.sh" test --release
mkdir -p target/c
cc -std=c11 -O1 -Wall -Wextra -Werror -I include tests/c/abi_test.c \
  -L target/release -Wl,-rpath,"$ROOT/rust/target/release" -lcobalt -lpthread -lm -o target/c/abi_test
# The panic test prints the Rust panic message to stderr; that is expected.
RUST_BACKTRACE=0 ./target/c/abi_test
