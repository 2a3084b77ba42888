#!/usr/bin/env bash
# install-system-deps.sh — system packages gradlab's GPU tests need on Debian bookworm.
#
#   * mesa-vulkan-drivers + libvulkan1 from bookworm-backports: the software Vulkan
#     driver (lavapipe, reported as "llvmpipe") that the npm `webgpu` package (Dawn)
#     runs on when there is no GPU. Bookworm's own Mesa 22 is refused by Dawn; the
#     backports Mesa (25.x) works.
#   * chromium (Debian's own build): the browser tests drive it through playwright-core.
#     It brings its own SwiftShader, so WebGPU works in it without a GPU.
#   * python3-torch (PyTorch 1.13, Debian's build): the tests that compare gradlab's
#     optimizers and safetensors files with PyTorch run it with /usr/bin/python3.
#   * libopenblas0-pthread: the BLAS that PyTorch's rows of `gradlab bench --workload`
#     are measured with (Debian's torch uses the system BLAS; without OpenBLAS it is the
#     reference BLAS, far slower), so the bench compares with the tightest PyTorch here.
#
# Idempotent and non-interactive (CI, root, no stdin). When everything is already
# installed it touches nothing and returns in ~35 ms (only dpkg-query runs).
#
# Environment:
#   GRADLAB_APT_MIRROR  Debian mirror for the backports line (default: the mirror
#                       already used for "bookworm" in this machine's apt sources).
#
# Check the result with: node tests/setup/webgpu-probe.mjs; node tests/setup/browser-probe.mjs
# (Setting XDG_RUNTIME_DIR, e.g. to /tmp, is recommended for Vulkan/Mesa; Dawn's
# compute path on llvmpipe also worked without it when this was written.)

set -euo pipefail

MIN_MESA=24          # Dawn refuses Mesa 22's lavapipe; backports ships 25.x.
BACKPORTS_FILE=/etc/apt/sources.list.d/bookworm-backports.sources

die() { echo "install-system-deps: $*" >&2; exit 1; }

# Version of an installed package, or empty if it is not (fully) installed.
installed_version() {
  dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null |
    awk '$1 == "installed" { print $2 }'
}

mesa_ok() {
  local v; v=$(installed_version mesa-vulkan-drivers)
  [[ -n $v ]] && dpkg --compare-versions "$v" ge "$MIN_MESA"
}

all_present() {
  mesa_ok && [[ -n $(installed_version libvulkan1) ]] &&
    [[ -n $(installed_version chromium) ]] && [[ -x /usr/bin/chromium ]] &&
    [[ -n $(installed_version python3-torch) ]] && [[ -n $(installed_version libopenblas0-pthread) ]]
}

# ---- Fast path: nothing to do (no apt at all). ------------------------------
if all_present; then
  echo "install-system-deps: ok, already installed (mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers), chromium $(installed_version chromium), python3-torch $(installed_version python3-torch))"
  exit 0
fi

# ---- Preconditions. ----------------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "must run as root to install packages: run 'sudo bash $0'"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian bookworm only"
if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ $codename == bookworm ]] || die "expected Debian bookworm, found '${codename:-unknown}': install a Vulkan driver with Mesa >= $MIN_MESA and chromium by hand"
fi

export DEBIAN_FRONTEND=noninteractive
did=()

# ---- Make sure bookworm-backports is an apt source. -------------------------
# All apt source files, old one-line (.list) and deb822 (.sources) style.
source_files() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && echo "$f"
  done
}

has_backports() {
  local f
  while read -r f; do
    # One-line style: "deb [opts] URI bookworm-backports main ..."; deb822 style:
    # "Suites: ... bookworm-backports ...". Commented-out lines don't count.
    grep -Eq '^[[:space:]]*(deb[[:space:]].*[[:space:]]bookworm-backports([[:space:]]|$)|Suites:.*[[:space:]]bookworm-backports([[:space:]]|$))' "$f" &&
      return 0
  done < <(source_files)
  return 1
}

# The mirror URI this machine already uses for the plain "bookworm" suite.
detect_mirror() {
  local f
  while read -r f; do
    if [[ $f == *.sources ]]; then
      # deb822: paragraphs separated by blank lines; take URIs of a paragraph
      # whose Suites list contains exactly "bookworm" (and is not disabled).
      awk '
        function flush() { if (suite && uri && enabled) { print uri; found = 1; exit } suite = 0; uri = ""; enabled = 1 }
        BEGIN { enabled = 1 }
        /^[[:space:]]*$/ { flush(); next }
        /^[[:space:]]*#/ { next }
        tolower($1) == "uris:"    { uri = $2 }
        tolower($1) == "suites:"  { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
        tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
        END { if (!found) flush() }
      ' "$f"
    else
      # one-line: deb [options] URI bookworm components...
      awk '$1 == "deb" {
             i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
             if ($(i + 1) == "bookworm") { print $i; exit }
           }' "$f"
    fi
  done < <(source_files) | head -n1
}

if ! has_backports; then
  mirror=${GRADLAB_APT_MIRROR:-$(detect_mirror)}
  [[ -n $mirror ]] || die "no apt source for 'bookworm' found to copy the mirror from: set GRADLAB_APT_MIRROR=http://<your-debian-mirror>/debian and rerun"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    echo "# Added by gradlab tests/setup/install-system-deps.sh (Mesa for WebGPU tests)"
    echo "Types: deb"
    echo "URIs: $mirror"
    echo "Suites: bookworm-backports"
    echo "Components: main"
    [[ -f $keyring ]] && echo "Signed-By: $keyring"
  } >"$BACKPORTS_FILE"
  did+=("added bookworm-backports ($mirror)")
fi

# ---- Install. -----------------------------------------------------------------
# One apt-get call for everything: "-t bookworm-backports" prefers backports for
# any package it has (Mesa and the libraries it must match, e.g. libgbm1) and falls
# back to bookworm for the rest (chromium, python3-torch), so the two sets can't disagree.
# apt's chatter (incl. "debconf: delaying package configuration, since apt-utils is
# not installed") goes to a log that is shown only if something fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt-get -qq update >"$log" 2>&1 || {
  cat "$log" >&2
  die "apt-get update failed: check network access to the Debian mirror and the files in /etc/apt/sources.list.d/"
}
apt-get -qq install -y --no-install-recommends -t bookworm-backports \
    mesa-vulkan-drivers libvulkan1 chromium python3-torch libopenblas0-pthread >"$log" 2>&1 || {
  cat "$log" >&2
  die "apt-get install failed (see above): fix apt (e.g. 'apt-get -f install', 'dpkg --configure -a') and rerun"
}

all_present || die "packages installed but the check still fails (mesa-vulkan-drivers '$(installed_version mesa-vulkan-drivers)' must be >= $MIN_MESA): inspect 'apt-cache policy mesa-vulkan-drivers'"
did+=("installed mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers), libvulkan1 $(installed_version libvulkan1), chromium $(installed_version chromium), python3-torch $(installed_version python3-torch), libopenblas0-pthread $(installed_version libopenblas0-pthread)")

summary=$(printf '%s; ' "${did[@]}")
echo "install-system-deps: ${summary%; }"
