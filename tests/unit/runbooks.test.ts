/**
 * The commands the runbooks tell an operator to run: shellcheck on every shell block, the
 * program's own flags against its CLIs, the restore and snapshot commands over SSH as the
 * program builds a node, and the order and facts each runbook relies on, each cited upstream.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serviceEnvFile } from "../../components/k3s/k3s-config";
import { requireBinary } from "../helpers/binaries";

const root = join(__dirname, "..", "..");
const docs = join(root, "docs");
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

/** Every ```sh / ```bash block of the runbooks, dedented, with its place. */
const runbookDir = join(docs, "runbooks");
function shellBlocks(dir: string): { where: string; code: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .flatMap((f) =>
      [...readFileSync(join(dir, f), "utf8").matchAll(/^( *)```(?:sh|bash)\n([\s\S]*?)^ *```/gm)].map(
        (m, i) => {
          const indent = (m[1] as string).length;
          const code = (m[2] as string)
            .split("\n")
            .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
            .join("\n");
          return { where: `${f} block ${i + 1}`, code };
        },
      ),
    );
}

/** shellcheck (warnings and errors) on a block whose `<placeholders>` are words. */
function shellcheck(code: string): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), "runbook-")), "block.sh");
  writeFileSync(file, `#!/usr/bin/env bash\n${code.replace(/<[^<>\n]+>/g, "PLACEHOLDER")}`);
  const r = spawnSync("shellcheck", ["--severity=warning", "--format=gcc", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("runbooks: the commands run", () => {
  it("every shell block of the runbooks passes shellcheck", (ctx) => {
    requireBinary("shellcheck", ctx);
    const blocks = shellBlocks(runbookDir);
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    for (const b of blocks) {
      const r = shellcheck(b.code);
      expect(r.status, `${b.where}:\n${b.code}\n${r.output}`).toBe(0);
    }
  });

  it("shellcheck refuses a block with a broken quote (the check can fail)", (ctx) => {
    requireBinary("shellcheck", ctx);
    expect(shellcheck("ssh root@<ipv4> 'systemctl stop k3s\n").status).not.toBe(0);
    // An indented block inside a list is dedented before checking (heredoc terminators too).
    const [nested] = shellBlocks(mkdtempDocs("1. Step:\n\n   ```sh\n   cat <<'EOF'\n   x\n   EOF\n   ```\n"));
    expect(nested?.code).toBe("cat <<'EOF'\nx\nEOF\n");
  });

  // The program's own CLIs take their flags from node:util parseArgs `options`; every flag a doc
  // passes after `npm run <script> --` must be one of them.
  it("passes the repository's scripts only flags they define", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const commands = lines
      .map((l) => l.text)
      .join("\n")
      .replace(/\\\n\s*/g, " ")
      .matchAll(/npm run ([a-z:-]+) -- ([^`\n|#]*)/g);
    let checked = 0;
    for (const [, script, args] of commands) {
      const file = /tsx (scripts\/[\w-]+\.ts)/.exec(pkg.scripts[script as string] ?? "")?.[1];
      expect(file, `npm run ${script}: no such script in package.json`).toBeDefined();
      const source = readFileSync(join(root, file as string), "utf8");
      if (!source.includes("parseArgs(")) continue;
      const defined = new Set(
        [...source.matchAll(/(?:^|[\s{,])"?([a-z][a-z-]*)"?: \{ type: "(?:string|boolean)"/gm)].map(
          (m) => m[1],
        ),
      );
      for (const [, flag] of (args as string).matchAll(/(?:^|[\s[])--([a-z][a-z-]*)/g)) {
        expect(
          defined,
          `npm run ${script} -- --${flag} (${file} defines ${[...defined].join(", ")})`,
        ).toContain(flag);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

/** A docs directory with one runbook of this text (for the extraction test). */
function mkdtempDocs(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "docs-"));
  writeFileSync(join(dir, "x.md"), text);
  return dir;
}

describe("runbooks: what they say matches the systems", () => {
  const read = (f: string) => readFileSync(join(runbookDir, f), "utf8");

  it("lost-node fixes Longhorn's disk before recovering PostgreSQL and takes a base backup once Ready", () => {
    const text = read("lost-node.md");
    const at = (s: string) => {
      const i = text.indexOf(s);
      expect(i, s).toBeGreaterThanOrEqual(0);
      return i;
    };
    // Longhorn marks the disk not ready on a UUID mismatch (node_controller.go) and refuses to
    // remove a disk that allows scheduling or holds storage (webhook node validator.go).
    expect(at("## 3. Longhorn")).toBeLessThan(at("## 4. PostgreSQL"));
    expect(at("delete volumes.longhorn.io <volume>")).toBeLessThan(at('"allowScheduling":false'));
    expect(at('"allowScheduling":false')).toBeLessThan(at('"op":"remove","path":"/spec/disks/<disk>"'));
    // CNPG runs the immediate backup only while status.lastCheckTime is empty
    // (scheduledbackup_controller.go 198); the restored ScheduledBackup has one.
    expect(at("wait --for=condition=Ready cluster/postgres")).toBeLessThan(at('"kind":"Backup"'));
    expect(text).toContain("scheduledbackup_controller.go 198");
    // k3s is stopped before the reset (the install command started it on an empty datastore).
    expect(at("ssh root@<ipv4> 'systemctl stop k3s'")).toBeLessThan(at("--cluster-reset-restore-path"));
  });

  it("add-node moves a single server's etcd with --cluster-reset after stopping k3s, with a snapshot first", () => {
    const text = read("add-node.md");
    const i = (s: string) => text.indexOf(s);
    expect(i("k3s-io/k3s#6524")).toBeGreaterThan(0);
    expect(i("k3s etcd-snapshot save --etcd-s3")).toBeLessThan(i("ssh root@<ipv4> 'systemctl stop k3s'"));
    expect(i("ssh root@<ipv4> 'systemctl stop k3s'")).toBeLessThan(i("k3s server --cluster-reset'"));
    expect(i("k3s server --cluster-reset'")).toBeLessThan(i("ssh root@<ipv4> 'systemctl start k3s'"));
  });

  it("secret-rotation rotates the tunnel token in place and replaces the tunnel itself delete-first, by real names", () => {
    const text = read("secret-rotation.md");
    const tunnel = readFileSync(join(root, "components", "edge", "tunnel.ts"), "utf8");
    const edge = readFileSync(join(root, "stacks", "edge.ts"), "utf8");
    expect(edge).toContain('new Tunnel("tunnel", {');
    expect(tunnel).toContain("new random.RandomBytes(`${name}-secret`");
    expect(tunnel).toContain("`${name}-tunnel`");
    expect(tunnel).toContain("deleteBeforeReplace: true");
    expect(text).toContain("grep -o 'urn:[^ ]*::tunnel-secret'");
    expect(text).toContain("grep -o 'urn:[^ ]*::tunnel-tunnel'");
    expect(text).toContain("kubectl -n cloudflare-tunnel rollout restart deploy/cloudflared");
    expect(text).not.toMatch(/Replacing it creates a new tunnel id/);
  });

  it("k3s-upgrade cordons only and says there is no rollback across a minor", () => {
    const text = read("k3s-upgrade.md");
    expect(text).toContain("**Cordon, no drain**");
    expect(text).toContain("**No rollback across a minor.**");
  });

  it("tenant-offboarding deletes the Retain volumes and settles the R2 bucket before the deploy", () => {
    const text = read("tenant-offboarding.md");
    const longhorn = readFileSync(join(root, "components", "storage", "longhorn-values.ts"), "utf8");
    expect(longhorn).toContain('reclaimPolicy: "Retain"');
    expect(text).toContain("kubectl -n longhorn-system delete volumes.longhorn.io <pv>");
    expect(text.indexOf("pulumi state delete")).toBeLessThan(text.indexOf("6. Merge;"));
    expect(text).not.toContain("until the lifecycle rule on `cnpg/` removes them");
  });
});
