/**
 * `npm run tools:build [-- --only <name>]`: builds the Go tools of {@link GO_TOOLS} (etcd,
 * kube-apiserver, ...) from the project's modules under `tools/` into `.tools/bin/`.
 *
 * Idempotent and cached: a tool is skipped when its recorded build (`<name>.build.json`: the Go
 * version, platform, `go build` arguments and a hash of its module's go.mod, go.sum and Go files)
 * matches and the modules the binary records (`go version -m`) are go.mod's; otherwise `go build`
 * runs, and Go's module and build caches make a rebuild incremental. Exits 1 naming the tool whose
 * build failed, with go's output.
 *
 * Then copies {@link MODULE_CRDS} out of their Go modules (`go mod download`) into `.tools/crds/`.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildArgs,
  GO_TOOLS,
  type GoTool,
  goEnv,
  MODULE_CRDS,
  modulesMatch,
  ROOT,
  readGoMod,
  TOOLS_BIN_DIR,
  TOOLS_CRDS_DIR,
} from "./lib/tools";

function go(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync("go", args, { cwd, env: goEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) return { status: 127, out: `go: ${r.error.message} (install Go 1.24 or newer)` };
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** What a build depends on, recorded beside the binary. */
function buildKey(tool: GoTool, goVersion: string): Record<string, string> {
  const dir = join(ROOT, tool.moduleDir);
  const hash = createHash("sha256");
  for (const file of readdirSync(dir)
    .filter((f) => f === "go.mod" || f === "go.sum" || f.endsWith(".go"))
    .sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(dir, file)))
      .update("\0");
  }
  return {
    go: goVersion,
    platform: `${process.platform}/${process.arch}`,
    args: buildArgs(tool, readGoMod(tool)).join(" "),
    module: hash.digest("hex"),
  };
}

function upToDate(tool: GoTool, key: Record<string, string>): boolean {
  const bin = join(TOOLS_BIN_DIR, tool.name);
  const stamp = `${bin}.build.json`;
  if (!existsSync(bin) || !existsSync(stamp)) return false;
  if (readFileSync(stamp, "utf8") !== JSON.stringify(key)) return false;
  const info = go(["version", "-m", bin], ROOT);
  return info.status === 0 && modulesMatch(readGoMod(tool), info.out);
}

function main(): number {
  const { values } = parseArgs({ options: { only: { type: "string", multiple: true } } });
  const selected = GO_TOOLS.filter((t) => !values.only || values.only.includes(t.name));
  const unknown = (values.only ?? []).filter((n) => !GO_TOOLS.some((t) => t.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `tools:build: --only ${unknown.join(", ")}: no such tool (one of ${GO_TOOLS.map((t) => t.name).join(", ")})\n`,
    );
    return 1;
  }
  const version = go(["env", "GOVERSION"], ROOT);
  if (version.status !== 0) {
    process.stderr.write(`tools:build: ${version.out}\n`);
    return 1;
  }
  mkdirSync(TOOLS_BIN_DIR, { recursive: true });
  for (const tool of selected) {
    const key = buildKey(tool, version.out.trim());
    const bin = join(TOOLS_BIN_DIR, tool.name);
    if (upToDate(tool, key)) {
      process.stdout.write(`${tool.name}: up to date (${bin})\n`);
      continue;
    }
    const started = Date.now();
    const tmp = `${bin}.tmp`;
    const args = buildArgs(tool, readGoMod(tool));
    const r = go(
      [...args.slice(0, -1), "-o", tmp, args[args.length - 1] as string],
      join(ROOT, tool.moduleDir),
    );
    if (r.status !== 0) {
      process.stderr.write(
        `tools:build: ${tool.name} (${tool.moduleDir}, go ${args.join(" ")}) failed:\n${r.out}\n`,
      );
      return 1;
    }
    renameSync(tmp, bin);
    writeFileSync(`${bin}.build.json`, JSON.stringify(key));
    process.stdout.write(`${tool.name}: built in ${((Date.now() - started) / 1000).toFixed(0)} s (${bin})\n`);
  }
  if (!values.only) return copyModuleCrds();
  return 0;
}

/** Copies the CRD files of {@link MODULE_CRDS} into {@link TOOLS_CRDS_DIR}. */
function copyModuleCrds(): number {
  mkdirSync(TOOLS_CRDS_DIR, { recursive: true });
  for (const source of MODULE_CRDS) {
    const r = go(["mod", "download", "-json", `${source.module}@${source.version}`], TOOLS_CRDS_DIR);
    let dir: string | undefined;
    try {
      dir = (JSON.parse(r.out) as { Dir?: string }).Dir;
    } catch {
      dir = undefined;
    }
    if (r.status !== 0 || !dir) {
      process.stderr.write(
        `tools:build: go mod download ${source.module}@${source.version} failed:\n${r.out}\n`,
      );
      return 1;
    }
    const files = readdirSync(join(dir, source.dir)).filter((f) => /\.ya?ml$/.test(f));
    // Module cache files are read-only: write a fresh copy (writable, so the next copy can replace it).
    for (const file of files)
      writeFileSync(join(TOOLS_CRDS_DIR, file), readFileSync(join(dir, source.dir, file)));
    process.stdout.write(`crds: ${files.length} from ${source.module}@${source.version}/${source.dir}\n`);
  }
  return 0;
}

process.exit(main());
