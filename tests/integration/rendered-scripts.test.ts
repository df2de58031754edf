import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCloudInit, renderNodePrepScript } from "../../components/hetzner/node-prep";
import {
  renderAuditPolicy,
  renderEventRateLimitConfig,
  renderK3sConfig,
  renderK3sServiceEnv,
  renderPodSecurityConfig,
} from "../../components/k3s/k3s-config";
import {
  renderDeployerTokenScript,
  renderInstallScript,
  renderReadinessScript,
  renderWriteConfigScript,
  renderWriteSecretsScript,
} from "../../components/k3s/scripts";
import { requireBinary } from "../helpers/binaries";

const dir = mkdtempSync(join(tmpdir(), "rendered-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const config = renderK3sConfig({
  role: "server",
  clusterInit: true,
  nodeName: "ax41",
  nodeIp: "203.0.113.10",
  clusterCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
});

const scripts: Record<string, string> = {
  "node-prep.sh": renderNodePrepScript({ hostname: "ax41-fsn1-1" }),
  "node-prep-vswitch.sh": renderNodePrepScript({
    hostname: "ax41-fsn1-1",
    vswitch: { vlan: 4000, address: "10.0.2.10/24", gateway: "10.0.2.1", networkCidr: "10.0.0.0/16" },
    privateNetwork: { address: "10.0.2.10" },
  }),
  "node-prep-cloud-coupled.sh": renderNodePrepScript({
    hostname: "cpx31-fsn1-1",
    privateNetwork: { address: "10.0.1.10", mtu: 1400 },
  }),
  "write-config-server.sh": renderWriteConfigScript({
    role: "server",
    config,
    podSecurityConfig: renderPodSecurityConfig(["longhorn-system"]),
    eventRateLimitConfig: renderEventRateLimitConfig(),
    auditPolicy: renderAuditPolicy(),
  }),
  "write-config-agent.sh": renderWriteConfigScript({
    role: "agent",
    config,
    podSecurityConfig: "",
    eventRateLimitConfig: "",
    auditPolicy: "",
  }),
  "write-secrets-server.sh": renderWriteSecretsScript({
    role: "server",
    token: "t".repeat(48),
    serviceEnv: renderK3sServiceEnv({
      nodeName: "ax41",
      token: "t".repeat(48),
      etcdS3: { accessKey: "id", secretKey: "sk" },
    }),
  }),
  "write-secrets-agent.sh": renderWriteSecretsScript({
    role: "agent",
    token: "t".repeat(48),
    serviceEnv: "",
  }),
  "deploy-token.sh": renderDeployerTokenScript(),
  "cluster-tunnel.sh": readFileSync(
    join(__dirname, "..", "..", "scripts", "ci", "cluster-tunnel.sh"),
    "utf8",
  ),
  "install-server.sh": renderInstallScript({ version: "v1.34.11+k3s1", role: "server" }),
  "install-agent.sh": renderInstallScript({ version: "v1.34.11+k3s1", role: "agent" }),
  "ready.sh": renderReadinessScript({ nodeName: "ax41", timeoutSeconds: 600 }),
};

describe("rendered shell scripts", () => {
  it.for(Object.keys(scripts))("%s passes shellcheck with no findings", (name, ctx) => {
    requireBinary("shellcheck", ctx);
    const result = spawnSync(
      "shellcheck",
      ["--shell=bash", "--severity=style", write(name, scripts[name] as string)],
      {
        encoding: "utf8",
      },
    );
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("shellcheck does report a broken script (the check can fail)", (ctx) => {
    requireBinary("shellcheck", ctx);
    const result = spawnSync("shellcheck", [write("broken.sh", "#!/usr/bin/env bash\nrm -rf $dir/*\n")], {
      encoding: "utf8",
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("SC2086");
  });

  // GNU coreutils install(1): `-d` creates the directories and `-m` sets their mode, also on a
  // directory that already exists (coreutils src/install.c process_dir passes
  // preserve_existing=false to gnulib make_dir_parents, which then chmods an existing
  // directory). `install -d -m 0700 /etc/default` once locked every other service out of its
  // environment file; only k3s's own directories may get a mode that way.
  it("runs `install -d -m` only on k3s's own directories (/etc/rancher, /var/lib/rancher)", () => {
    const owned = (path: string) => /^\/(etc|var\/lib)\/rancher(\/|$)/.test(path);
    const pathsOf = (args: string) =>
      args
        // `"$(dirname /x/y)"` is /x; a variable cannot be checked and is refused too.
        .replace(/"\$\(dirname ([^)]+)\)"/g, (_, p: string) => p.replace(/\/[^/]+$/, ""))
        .trim()
        .split(/\s+/)
        .map((a) => a.replace(/^"|"$/g, ""));
    const installs = /\binstall\s+(?:-\S+\s+)*-d\s+(?:-\S+\s+)*-m\s+\S+\s+([^\n;&|]+)/g;
    const seen: string[] = [];
    for (const [name, text] of Object.entries(scripts)) {
      for (const [, args] of text.matchAll(installs)) {
        for (const path of pathsOf(args as string)) {
          seen.push(path);
          expect(owned(path), `${name}: install -d -m on ${path}`).toBe(true);
        }
      }
    }
    expect(seen).toContain("/etc/rancher/k3s");
    expect(seen).toContain("/var/lib/rancher/k3s/server/logs");
    // The check can fail: the old secrets script's line is refused.
    const old = [..."install -d -m 0700 /etc/rancher/k3s /etc/default\n".matchAll(installs)];
    expect(pathsOf(old[0]?.[1] as string).filter((p) => !owned(p))).toEqual(["/etc/default"]);
  });

  it("every script is bash with strict mode", () => {
    for (const text of Object.values(scripts)) {
      expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
      expect(text).toContain("set -euo pipefail");
    }
  });
});

describe("rendered cloud-init", () => {
  it("passes cloud-init schema", (ctx) => {
    requireBinary("cloud-init", ctx);
    const file = write(
      "user-data.yaml",
      renderCloudInit({ hostname: "staging-cpx31-1", sshPublicKeys: ["ssh-ed25519 AAAA ops"] }),
    );
    const result = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toContain("Valid cloud-config");
    expect(result.status).toBe(0);
  });

  it("cloud-init schema rejects an invalid document (the check can fail)", (ctx) => {
    requireBinary("cloud-init", ctx);
    const file = write("bad.yaml", "#cloud-config\nssh_pwauth: [not, a, boolean]\npackages: 5\n");
    const result = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    expect(result.status).not.toBe(0);
  });

  it("installs the Longhorn packages, forbids password login and runs the shared prep script", () => {
    const text = renderCloudInit({ hostname: "n1", sshPublicKeys: ["ssh-ed25519 AAAA ops"] });
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(text).toContain("- open-iscsi");
    expect(text).toContain("- nfs-common");
    expect(text).toContain("ssh_pwauth: false");
    expect(text).toContain("PasswordAuthentication no");
    expect(text).toContain("systemctl enable --now iscsid");
    expect(text).toContain("vm.overcommit_memory = 1");
    expect(text).toContain("ENCLII_IN_CLOUD_INIT=1");
  });
});
