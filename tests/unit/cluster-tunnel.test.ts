/**
 * scripts/ci/cluster-tunnel.sh run against stubs of the commands it calls (npm, cloudflared,
 * sudo, ss, curl, ssh-keyscan, pulumi): a listener proves nothing, so the script must probe every
 * route and fail fast with the proxy's log.
 *
 * Upstream: when Access rejects the service token it redirects to its login page and
 * `cloudflared access tcp` falls back to an interactive login (cloudflare/cloudflared
 * carrier/websocket.go createWebsocketStream -> IsAccessResponse in carrier/carrier.go ->
 * createAccessAuthenticatedStream -> BuildAccessRequest -> token.FetchTokenWithRedirect), which
 * prints "A browser window should have opened at the following URL" (token/transfer.go
 * RunTransfer) and long-polls 10 times with a 60 s client timeout (token/transfer.go
 * transferRequest: pollAttempts = 10, clientTimeout). The stub cloudflared prints that line.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = join(__dirname, "..", "..", "scripts", "ci", "cluster-tunnel.sh");
const ROUTES = [
  "kube.enclii.dev kube-tunnel.enclii.dev 127.0.0.2 6443",
  "ax41-1.enclii.dev ax41-1-tunnel.enclii.dev 127.0.1.1 22",
  "ax41-2.enclii.dev ax41-2-tunnel.enclii.dev 127.0.1.2 22",
].join("\n");

interface Stubs {
  /** HTTP code the API probe gets. */
  readonly apiCode: string;
  /** Whether sshd sends a host key through the proxy. */
  readonly sshKey: boolean;
  /** The deployed `clusterAccess` output's host names; no pulumi CLI when undefined. */
  readonly deployed?: readonly string[];
  /** cloudflared fell back to the browser login (Access rejected the service token). */
  readonly rejected?: boolean;
}

function run(stubs: Stubs) {
  const dir = mkdtempSync(join(tmpdir(), "cluster-tunnel-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  writeFileSync(join(dir, "routes"), `${ROUTES}\n`);
  stub("npm", `cat "${join(dir, "routes")}"`);
  stub(
    "cloudflared",
    stubs.rejected
      ? 'if [ "$1" = --version ]; then echo "cloudflared version 2026.1.0"; exit 0; fi\necho "A browser window should have opened at the following URL:" >&2\nsleep 1'
      : 'if [ "$1" = --version ]; then echo "cloudflared version 2026.1.0"; fi',
  );
  stub("sudo", `if [ "$1" = tee ]; then cat >>"${join(dir, "hosts")}"; fi`);
  stub("ss", `awk '{print "LISTEN 0 4096 " $3 ":" $4 " 0.0.0.0:*"}' "${join(dir, "routes")}"`);
  stub("curl", `printf '%s' "${stubs.apiCode}"`);
  stub("ssh-keyscan", stubs.sshKey ? 'echo "127.0.1.1 ssh-ed25519 AAAAC3Nz"' : "exit 1");
  if (stubs.deployed) {
    const output = JSON.stringify({ hosts: stubs.deployed.map((name) => ({ name })) });
    stub("pulumi", `echo '${output}'`);
  }
  const result = spawnSync("bash", [SCRIPT, "production"], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      RUNNER_TEMP: dir,
      TUNNEL_SERVICE_TOKEN_ID: "id.access",
      TUNNEL_SERVICE_TOKEN_SECRET: "secret",
    },
    timeout: 60_000,
  });
  const hosts = (() => {
    try {
      return readFileSync(join(dir, "hosts"), "utf8");
    } catch {
      return "";
    }
  })();
  return { ...result, hosts };
}

describe("scripts/ci/cluster-tunnel.sh", () => {
  it("reports the cluster reachable only after the API (401) and every sshd answered through the tunnel", () => {
    const r = run({ apiCode: "401", sshKey: true });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.hosts).toBe(
      "127.0.0.2 kube.enclii.dev\n127.0.1.1 ax41-1.enclii.dev\n127.0.1.2 ax41-2.enclii.dev\n",
    );
    expect(r.stdout).toContain("kube.enclii.dev: the API server answers through the tunnel (HTTP 401)");
    expect(r.stdout).toContain("ax41-2.enclii.dev: sshd answers through the tunnel");
    expect(r.stdout).toMatch(/reachable through the tunnel\n$/);
  });

  it("fails when Access rejects the service token, with cloudflared's log and the token as the likely cause", () => {
    const r = run({ apiCode: "000", sshKey: false, rejected: true });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain("reachable through the tunnel");
    expect(r.stderr).toContain(
      "::error::the Kubernetes API kube.enclii.dev did not answer through kube-tunnel.enclii.dev within 20s (HTTP 000)",
    );
    expect(r.stderr).toContain("A browser window should have opened at the following URL:");
    expect(r.stderr).toContain("Access rejected the service token for kube-tunnel.enclii.dev");
    expect(r.stderr).toContain("TUNNEL_SERVICE_TOKEN_ID / TUNNEL_SERVICE_TOKEN_SECRET");
  });

  it("fails when a node's sshd sends no host key through its route", () => {
    const r = run({ apiCode: "200", sshKey: false });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "::error::sshd of ax41-1.enclii.dev sent no host key through ax41-1-tunnel.enclii.dev within 20s",
    );
    expect(r.stderr).toContain("or the route ax41-1-tunnel.enclii.dev is not deployed yet");
  });

  it("fails before any proxy when a node of the config has no route in the deployed clusterAccess output", () => {
    const r = run({ apiCode: "200", sshKey: true, deployed: ["kube.enclii.dev", "ax41-1.enclii.dev"] });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("::error::not routed through the tunnel yet: ax41-2.enclii.dev.");
    expect(r.stderr).toContain("from a workstation inside access.adminCidrs");
    expect(r.hosts).toBe("");
  });

  it("goes on when the deployed clusterAccess output lists every route", () => {
    const deployed = ["kube.enclii.dev", "ax41-1.enclii.dev", "ax41-2.enclii.dev"];
    expect(run({ apiCode: "200", sshKey: true, deployed }).status).toBe(0);
  });
});
