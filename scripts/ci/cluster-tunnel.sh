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

# A node added to (or renamed in) the config has no tunnel route until an `up` created it, and
# that `up` must SSH to the node first: adding or replacing nodes runs from a workstation inside
# access.adminCidrs (docs/deploy.md "Adding or replacing nodes"). When the Pulumi CLI is here and
# the stack's outputs are readable, name such a node before anything else; otherwise its probe
# below fails with the same advice.
if command -v pulumi >/dev/null 2>&1 &&
  deployed="$(pulumi stack output clusterAccess --json --stack "$stack" 2>/dev/null)"; then
  routed="$(node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{for(const h of JSON.parse(s||"{}").hosts??[])console.log(h.name)})' <<<"$deployed")"
  missing=""
  while read -r name _rest; do
    grep -qxF "$name" <<<"$routed" || missing="$missing $name"
  done <<<"$routes"
  if [ -n "$missing" ]; then
    echo "::error::not routed through the tunnel yet:$missing. Pulumi.$stack.yaml lists them but the last \`up\` of $stack created no tunnel route for them; add or replace nodes from a workstation inside access.adminCidrs (docs/deploy.md \"Adding or replacing nodes\"), then rerun CI" >&2
    exit 1
  fi
else
  echo "the deployed clusterAccess output is not readable here (no Pulumi CLI or not logged in): the probes below check every route"
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

# A listener proves nothing: `cloudflared access tcp` dials the route only when a client connects.
# If Access rejects the service token it answers with a redirect to its login page, and cloudflared
# falls back to an interactive browser login that polls for ten minutes (cloudflare/cloudflared
# carrier/websocket.go createWebsocketStream -> IsAccessResponse (carrier/carrier.go) ->
# createAccessAuthenticatedStream -> BuildAccessRequest -> token.FetchTokenWithRedirect;
# token/transfer.go transferRequest: pollAttempts = 10, clientTimeout = 60s). So each route is
# probed end to end with a timeout, and a failure stops the job with the proxy's log.
fail_route() {
  local name="$1" tunnel="$2" what="$3"
  echo "::error::$what" >&2
  echo "cloudflared log for $name ($logs/$name.log):" >&2
  cat "$logs/$name.log" >&2 || true
  if grep -qE "log in with your Cloudflare account|browser window should have opened" "$logs/$name.log"; then
    echo "Access rejected the service token for $tunnel and cloudflared fell back to a browser login:" >&2
  fi
  echo "likely causes: TUNNEL_SERVICE_TOKEN_ID / TUNNEL_SERVICE_TOKEN_SECRET of the $stack environment expired, revoked or mistyped (docs/deploy.md, rotation in docs/runbooks/secret-rotation.md); or the route $tunnel is not deployed yet (a node added since the last up: run that up from a workstation inside access.adminCidrs)" >&2
  exit 1
}

while read -r name tunnel loopback port; do
  if [ "$port" = 6443 ]; then
    # Any answer of the API server proves the path: 200 (anonymous /livez) or 401/403 (anonymous
    # auth off or not allowed); 000 means no HTTP answer came back through the tunnel.
    code="$(curl --resolve "$name:6443:$loopback" -sk --max-time 20 -o /dev/null -w '%{http_code}' \
      "https://$name:6443/livez" || true)"
    case "$code" in
    200 | 401 | 403) echo "$name: the API server answers through the tunnel (HTTP $code)" ;;
    *) fail_route "$name" "$tunnel" "the Kubernetes API $name did not answer through $tunnel within 20s (HTTP ${code:-000})" ;;
    esac
  else
    if timeout 25 ssh-keyscan -T 20 -p "$port" "$loopback" 2>/dev/null | grep -q .; then
      echo "$name: sshd answers through the tunnel"
    else
      fail_route "$name" "$tunnel" "sshd of $name sent no host key through $tunnel within 20s"
    fi
  fi
done <<<"$routes"
echo "cluster of $stack reachable through the tunnel"
