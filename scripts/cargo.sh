#!/usr/bin/env bash
# cargo, with Rust crates from Debian packages when crates.io is out of reach.
#
# rust/Cargo.toml stays a standard manifest. Where crates.io answers, this is plain cargo. Where it
# does not, the crates listed in scripts/debian-crates.txt are installed with apt-get
# (librust-<name>-dev, sources land in /usr/share/cargo/registry) and cargo gets a source
# replacement pointing crates-io at that directory, for this invocation only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/rust"

command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs or apt-get install cargo)"

needs_crates() { grep -qvE '^\s*(#|$)' "$ROOT/scripts/debian-crates.txt" 2>/dev/null; }
online() { curl -fsS --max-time 5 -o /dev/null https://index.crates.io/config.json 2>/dev/null; }

if needs_crates && ! online; then
  REG=/usr/share/cargo/registry
  mapfile -t PKGS < <(grep -vE '^\s*(#|$)' "$ROOT/scripts/debian-crates.txt")
  missing=()
  for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "crates.io is unreachable: installing ${missing[*]} from Debian"
    apt_install "${missing[@]}"
  fi
  # Global options go before the subcommand: after "$@" they would land behind a `--` (clippy's lints).
  exec cargo --offline --config "source.crates-io.replace-with=\"debian\"" \
    --config "source.debian.directory=\"$REG\"" "$@"
fi
exec cargo "$@"
