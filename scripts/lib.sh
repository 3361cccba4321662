# Shared by the scripts: paths and logging. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# apt-get as root or through sudo, whichever this machine has.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}
# The library's file name on this OS.
lib_file() {
  case "$(uname -s)" in Darwin) echo libcobalt.dylib ;; MINGW*|MSYS*|CYGWIN*) echo cobalt.dll ;; *) echo libcobalt.so ;; esac
}
