#!/usr/bin/env bash
# Opens the Kubernetes API and each node's SSH of a stack to this runner through the Cloudflare
# Tunnel: one `cloudflared access tcp` per route, authenticated with the stack's Access service
# token (TUNNEL_SERVICE_TOKEN_ID / TUNNEL_SERVICE_TOKEN_SECRET, read by cloudflared itself), each
# listening on a loopback address that /etc/hosts maps the route's stable name to. The program's
# kubeconfig (https://kube.<domain>:6443) and SSH connections (<node>.<domain>:22) then work
# unchanged. Background processes live until the job ends. See docs/deploy.md.
#
# usage: scripts/ci/cluster-tunnel.sh <stack>
set -euo pipefail

stack="${1:?usage: scripts/ci/cluster-tunnel.sh <stack>}"
: "${TUNNEL_SERVICE_TOKEN_ID:?set the environment secret TUNNEL_SERVICE_TOKEN_ID (docs/deploy.md)}"
: "${TUNNEL_SERVICE_TOKEN_SECRET:?set the environment secret TUNNEL_SERVICE_TOKEN_SECRET (docs/deploy.md)}"
export TUNNEL_SERVICE_TOKEN_ID TUNNEL_SERVICE_TOKEN_SECRET

routes="$(npm run -s cluster:access -- --stack "$stack")"
if [ -z "$routes" ]; then
  echo "stack $stack provisions no nodes: nothing to open"
  exit 0
fi

if ! command -v cloudflared >/dev/null 2>&1; then
  version="$(npm run -s cluster:access -- --cloudflared-version)"
  download="${RUNNER_TEMP:-/tmp}/cloudflared"
  curl -fsSL --retry 5 --retry-delay 5 -o "$download" \
    "https://github.com/cloudflare/cloudflared/releases/download/${version}/cloudflared-linux-amd64"
  sudo install -m 0755 "$download" /usr/local/bin/cloudflared
fi
cloudflared --version

# SSH proxies listen on port 22 of their loopback address: let an unprivileged process bind it,
# and free it from the runner's own sshd, if one listens.
sudo sysctl -q -w net.ipv4.ip_unprivileged_port_start=22
sudo systemctl stop ssh.socket ssh.service >/dev/null 2>&1 || true

logs="${RUNNER_TEMP:-/tmp}/cluster-tunnel"
mkdir -p "$logs"
while read -r name tunnel loopback port; do
  echo "$loopback $name" | sudo tee -a /etc/hosts >/dev/null
  nohup cloudflared access tcp --hostname "$tunnel" --url "$loopback:$port" --loglevel warn \
    >"$logs/$name.log" 2>&1 &
  echo "$name -> $loopback:$port -> $tunnel"
done <<<"$routes"

while read -r name _tunnel loopback port; do
  deadline=$(($(date +%s) + 30))
  until ss -ltnH | grep -q " $loopback:$port "; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "cloudflared for $name did not listen on $loopback:$port; its log:" >&2
      cat "$logs/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
done <<<"$routes"
echo "cluster of $stack reachable through the tunnel"
