#!/usr/bin/env bash
# `npm run doctor -- --preflight` against a real OpenSSH server (Debian's openssh-server) on
# 127.0.0.1: sshd on a free high port with a throw-away host key and authorized_keys, logging in as
# the current user. The node's commands (sudo, ip, tailscale, nvidia-smi, nvidia-ctk, df, id -u)
# are stubs first on the server's PATH (sshd_config SetEnv), so each check can be made to pass or
# fail. Checks: a ready node passes (exit 0); a node failing every check gets each failure with its
# fix (exit 1); a closed port and a wrong key are reported as such. Prints "RESULT preflight ok".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/preflight.XXXXXX)
sshd_pid=""
cleanup() {
  if [[ -n $sshd_pid ]]; then kill "$sshd_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "preflight: FAIL: $*" >&2
  [[ -f $work/out ]] && sed 's/^/  | /' "$work/out" >&2
  exit 1
}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# --- the server: keys, stubs, config --------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/other_key"
cp "$work/client_key.pub" "$work/authorized_keys"
chmod 600 "$work/authorized_keys"

mkdir "$work/bin"
echo good >"$work/mode"
# The branches are shell code for the stub, expanded when the stub runs, not here.
# shellcheck disable=SC2016
stub() { # stub <name> <good-branch> <bad-branch>
  printf '#!/bin/sh\nif [ "$(cat %s/mode)" = good ]; then\n%s\nelse\n%s\nfi\n' "$work" "$2" "$3" >"$work/bin/$1"
  chmod +x "$work/bin/$1"
}
# A non-root login as far as the probe can tell, so it has to go through sudo.
# shellcheck disable=SC2016
stub id 'if [ "$1" = -u ]; then echo 1000; else exec /usr/bin/id "$@"; fi' 'if [ "$1" = -u ]; then echo 1000; else exec /usr/bin/id "$@"; fi'
stub sudo 'exit 0' 'echo "sudo: a password is required" >&2; exit 1'
stub ip "printf '1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 192.168.50.10/24 brd 192.168.50.255 scope global eth0\n3: tailscale0    inet 100.100.1.1/32 scope global tailscale0\n'" \
  "printf '1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 192.168.50.99/24 brd 192.168.50.255 scope global eth0\n'"
stub tailscale 'echo "100.100.1.1  pf-gpu  me@  linux  -"' 'echo "Tailscale is stopped."; exit 1'
stub nvidia-smi 'echo "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-0000)"' 'echo "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."; exit 9'
stub nvidia-ctk 'echo "NVIDIA Container Toolkit CLI version 1.17.8"' 'echo "nvidia-ctk: not found" >&2; exit 127'
stub df "printf 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 104857600 10 52428800 1%% /\n'" \
  "printf 'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 104857600 10 5242880 95%% /\n'"

port=$(free_port)
closed=$(free_port)
cat >"$work/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PidFile $work/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
SetEnv PATH=$work/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONF
# As root, sshd needs its privilege-separation directory.
if [[ $(id -u) -eq 0 ]]; then mkdir -p /run/sshd; fi
/usr/sbin/sshd -t -f "$work/sshd_config" || fail "sshd rejects its test config"
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!

# Wait for the port (bounded; fails at once if sshd died) rather than sleeping a fixed time.
for ((i = 0; ; i++)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$sshd_pid" 2>/dev/null || fail "sshd exited: $(cat "$work/sshd.log")"
  ((i < 200)) || fail "sshd did not listen on 127.0.0.1:$port within 10 s"
  sleep 0.05
done

# --- the stacks -----------------------------------------------------------------------------------
user=$(id -un)
node_gpu="    - {name: pf-gpu, roles: [service, compute, gpu], k3s: server, cpu: \"8\", memory: 32Gi,
       address: 100.100.1.1, lanAddress: 192.168.50.10, ssh: {host: 127.0.0.1, port: $port, user: $user}}"
node_down="    - {name: pf-down, roles: [compute], k3s: agent, cpu: \"4\", memory: 8Gi,
       address: 192.168.50.20, ssh: {host: 127.0.0.1, port: $closed, user: $user}}"
stack() { # stack <file> <node lines...>
  local file=$1
  shift
  {
    printf 'config:\n  homelab:domain: pf.example.net\n  homelab:cluster: {mode: k3s}\n'
    printf '  homelab:ingress: {traefik: {replicas: 1}, certificates: {issuer: selfsigned}}\n  homelab:nodes:\n'
    printf '%s\n' "$@"
  } >"$file"
}
stack "$work/Pulumi.pfone.yaml" "$node_gpu"
stack "$work/Pulumi.pftwo.yaml" "$node_gpu" "$node_down"

doctor() { # doctor <stack> <key> -> exit status; output in $work/out
  local s=$1 key=$2 rc=0
  (cd "$ROOT" && timeout -k 5 120 node_modules/.bin/tsx tools/doctor.ts --preflight --stack "$s" --config-file "$work/Pulumi.$s.yaml" \
    --identity "$work/$key" --ssh-option "UserKnownHostsFile=$work/known_hosts" --connect-timeout 5) >"$work/out" 2>&1 || rc=$?
  return "$rc"
}
expect() { grep -qE -- "$1" "$work/out" || fail "expected /$1/ in the output"; }

# 1. A ready node: every check passes, exit 0.
rc=0
doctor pfone client_key || rc=$?
[[ $rc -eq 0 ]] || fail "a ready node: exit $rc, expected 0"
for c in "ssh +reachable as $user" "root +password-less sudo" "address +100.100.1.1 is on the machine" "lanAddress +192.168.50.10" \
  "tailscale +tailscale status: up" "nvidia-driver +GPU 0: NVIDIA" "nvidia-toolkit +NVIDIA Container Toolkit CLI" "disk +50.0 GiB free on /"; do
  expect "^  ok    $c"
done
expect "preflight: all 8 checks passed"
echo "preflight: ready node passes (8 checks)"

# 2. Everything wrong, plus a second node on a closed port: each failure with its fix, exit 1.
echo bad >"$work/mode"
rc=0
doctor pftwo client_key || rc=$?
[[ $rc -eq 1 ]] || fail "a broken node: exit $rc, expected 1"
expect "^  FAIL  root +.*cannot become root without a password: sudo: a password is required"
expect "fix: on the node: echo '$user ALL=\(ALL\) NOPASSWD: ALL' \| sudo tee /etc/sudoers.d/$user"
expect "^  FAIL  address +100.100.1.1 is not an address of this machine \(it has 192.168.50.99\)"
expect "fix: bring Tailscale up on the node \(sudo tailscale up\)"
expect "^  FAIL  lanAddress +192.168.50.10 is not an address"
expect "^  FAIL  tailscale +.*Tailscale is not up: Tailscale is stopped."
expect "^  FAIL  nvidia-driver +.*nvidia-smi fails: NVIDIA-SMI has failed"
expect "fix: install the NVIDIA driver on the node"
expect "^  FAIL  nvidia-toolkit +.*is not installed \(no nvidia-ctk\)"
expect "fix: install nvidia-container-toolkit"
expect "^  FAIL  disk +5.0 GiB free on /, below the 20.0 GiB"
expect "^  FAIL  ssh +cannot run commands over SSH as $user@127.0.0.1:$closed: .*Connection refused"
expect "fix: nothing listens for SSH on 127.0.0.1:$closed"
expect "preflight: 8 of 9 checks failed"
echo "preflight: broken node and closed port each named with a fix (8 failures)"

# 3. A key the node does not know.
rc=0
doctor pfone other_key || rc=$?
[[ $rc -eq 1 ]] || fail "a wrong key: exit $rc, expected 1"
expect "^  FAIL  ssh +.*Permission denied"
expect "fix: install your public key for $user on the node \(ssh-copy-id -p $port $user@127.0.0.1\)"
echo "preflight: wrong key named (Permission denied)"
echo "RESULT preflight ok"
