#!/bin/sh
# Runs on a node over SSH for `npm run doctor -- --preflight` (sent as `sh -s`). It only reports:
# one "@<section>" line, then "rc=<exit status>" and the command's output, per fact. The judging
# (what is missing, what fixes it) happens on the workstation, in tools/lib/preflight.ts.
section() { printf '@%s\n' "$1"; }
run() {
  out=$("$@" 2>&1)
  rc=$?
  printf 'rc=%s\n%s\n' "$rc" "$out"
}

section sudo
if [ "$(id -u)" -eq 0 ]; then printf 'rc=0\nroot\n'; else run sudo -n true; fi
section addresses
run ip -o addr show
section tailscale
run tailscale status
section nvidia-smi
run nvidia-smi -L
section nvidia-ctk
run nvidia-ctk --version
# Local-path volumes and container images live under /var/lib/rancher once k3s is installed.
dir=/
for d in /var/lib/rancher /var/lib /var; do
  if [ -d "$d" ]; then
    dir=$d
    break
  fi
done
section disk
run df -Pk "$dir"
section end
