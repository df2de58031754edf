/**
 * The restore and snapshot commands the docs tell an operator to run over SSH work on a node as
 * the program builds it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serviceEnvFile } from "../../components/k3s/k3s-config";

const docs = join(__dirname, "..", "..", "docs");
const files = [
  ...readdirSync(docs)
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(docs, f)),
  ...readdirSync(join(docs, "runbooks"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(docs, "runbooks", f)),
  join(__dirname, "..", "..", "README.md"),
];
const lines = files.flatMap((file) =>
  readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => ({ where: `${file.replace(/^.*\/(docs|README)/, "$1")}:${i + 1}`, text })),
);

describe("runbooks: k3s commands over SSH", () => {
  // The etcd S3 keys are only in /etc/default/k3s (components/k3s/k3s-config.ts
  // renderK3sServiceEnv), read by systemd for the service (k3s install.sh writes
  // `EnvironmentFile=-/etc/default/%N` into k3s.service) and by k3s from the environment (k3s
  // pkg/cli/cmds/server.go: etcd-s3-access-key `EnvVar: "AWS_ACCESS_KEY_ID"`, etcd-s3-secret-key
  // `EnvVar: "AWS_SECRET_ACCESS_KEY"`). An SSH shell reads neither, so `k3s etcd-snapshot` and
  // `k3s server --cluster-reset` fail against R2 unless the line loads the file first.
  it("loads /etc/default/k3s on every line that runs `k3s etcd-snapshot` or `--cluster-reset`", () => {
    expect(serviceEnvFile("server")).toBe("/etc/default/k3s");
    const load = "set -a; . /etc/default/k3s; set +a; k3s ";
    const invoking = lines.filter((l) => /\bk3s etcd-snapshot\b|--cluster-reset\b/.test(l.text));
    expect(invoking.length).toBeGreaterThanOrEqual(5);
    for (const l of invoking) {
      for (const [, command] of l.text.matchAll(/(\S*\s*k3s (?:etcd-snapshot|server)\b[^'`]*)/g)) {
        const at = l.text.indexOf(command as string);
        expect(l.text.slice(0, at + (command as string).length), l.where).toContain(load);
        expect(l.text.lastIndexOf(load, at + 4), l.where).toBeGreaterThanOrEqual(0);
      }
    }
    // The check can fail: the old runbook line is refused.
    expect("ssh root@<ipv4> 'k3s etcd-snapshot list --etcd-s3'").not.toContain(load);
  });

  // pulumi-command runs `create` only on creation or replacement (provider/pkg/provider/remote/
  // commandController.go), so a new machine behind an unchanged node gets its bootstrap only
  // from replaced commands: prep, config, secrets (the original join token from state) and
  // install, named `${cluster}-${node}-<step>` in components/k3s/cluster.ts, cluster "k3s".
  it("lost-node replaces the node's prep, config, secrets and install commands, with their real names", () => {
    const cluster = readFileSync(join(__dirname, "..", "..", "components", "k3s", "cluster.ts"), "utf8");
    const nodes = readFileSync(join(__dirname, "..", "..", "stacks", "nodes.ts"), "utf8");
    expect(nodes).toContain('new Cluster("k3s", {');
    expect(cluster).toContain('super("enclii:k3s:Cluster", name, {}, opts)');
    const lostNode = readFileSync(join(docs, "runbooks", "lost-node.md"), "utf8");
    expect(lostNode).toContain(
      "u='urn:pulumi:<stack>::enclii-infra::enclii:k3s:Cluster$command:remote:Command::k3s-<node>'",
    );
    for (const step of ["prep", "config", "secrets", "install"]) {
      expect(cluster).toContain(`\`\${name}-\${node.name}-${step}\``);
      expect(lostNode).toContain(`--target-replace "$u-${step}"`);
    }
    expect(lostNode).toContain("**original** join token");
    expect(lostNode).toContain("ssh root@<ipv4> 'systemctl stop k3s'");
  });
});
