#!/usr/bin/env bash
# Rust unit and integration tests, then the C program against cobalt.h and the release library.
# Terse unless COBALT_TEST_VERBOSE=1: a dot per passing test (failures in full) and no backtraces of
# the panics that tests provoke on purpose; verbose lists every test and keeps RUST_BACKTRACE.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/rust"
quiet=(--quiet)
case "${COBALT_TEST_VERBOSE:-0}" in "" | 0 | false | no) export RUST_BACKTRACE=0 ;; *) quiet=() ;; esac
bash "$ROOT/scripts/cargo.sh" test --release "${quiet[@]}"
mkdir -p target/c
cc -std=c11 -O1 -Wall -Wextra -Werror -I include tests/c/abi_test.c \
  -L target/release -Wl,-rpath,"$ROOT/rust/target/release" -lcobalt -lpthread -lm -o target/c/abi_test
# The panic test prints the Rust panic message to stderr; that is expected.
RUST_BACKTRACE=0 ./target/c/abi_test
