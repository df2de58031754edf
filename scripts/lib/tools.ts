/**
 * Go tools the tests run, each built from a Go module of the project's own under `tools/` (one
 * module per tool, so their dependency graphs never meet) into `.tools/bin/` (ignored by git).
 * `npm run tools:build` builds them; tests find them with {@link toolPath}.
 *
 * To add a tool: give it a module under `tools/<dir>` (go.mod, go.sum, and a main package or a
 * `tool` directive) and append a {@link GoTool} to {@link GO_TOOLS}.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Repository root. */
export const ROOT = join(__dirname, "..", "..");

/** Where the built binaries go (ignored by git). */
export const TOOLS_BIN_DIR = join(ROOT, ".tools", "bin");

/** One binary built by `go build` in a module under `tools/`. */
export interface GoTool {
  /** The binary's file name in {@link TOOLS_BIN_DIR}. */
  readonly name: string;
  /** The module's folder, relative to the repository root (holds go.mod and go.sum). */
  readonly moduleDir: string;
  /** The package to build: `.` for the module's own main, or an import path its go.mod requires. */
  readonly pkg: string;
  /** `-X importpath.name=value` settings, computed from the module's go.mod (its pinned versions). */
  readonly linkerVars?: (goMod: string) => Record<string, string>;
}

/** The version `go.mod` requires (or replaces) `module` at; throws when it does not. */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = goMod.match(new RegExp(`(?:^|\\s)${escaped}\\s+(v[0-9][^\\s]*)`, "m"));
  if (!match?.[1]) throw new Error(`go.mod does not require ${module}`);
  return match[1];
}

/**
 * k8s.io/component-base/version's build-time variables (component-base v0.34.4 version/base.go
 * lines 36-54: gitMajor, gitMinor, gitVersion, gitTreeState), set as Kubernetes' own build sets
 * them (k8s.io/kubernetes v1.34.4 hack/lib/version.sh lines 151-178, kube::version::ldflags), so
 * clients see the release instead of v0.0.0-master.
 */
export function kubeVersionVars(version: string): Record<string, string> {
  const match = version.match(/^v(\d+)\.(\d+)\.\d+$/);
  if (!match) throw new Error(`not a Kubernetes release version: ${version}`);
  const pkg = "k8s.io/component-base/version";
  return {
    [`${pkg}.gitVersion`]: version,
    [`${pkg}.gitMajor`]: String(match[1]),
    [`${pkg}.gitMinor`]: String(match[2]),
    [`${pkg}.gitTreeState`]: "clean",
  };
}

/** The commit (12 hex) of a pseudo-version (`v0.0.0-<yyyymmddhhmmss>-<commit>`); throws on any other version. */
export function pseudoVersionCommit(version: string): string {
  const match = version.match(/^v\d+\.\d+\.\d+-(?:\S+\.)?\d{14}-([0-9a-f]{12})$/);
  if (!match) throw new Error(`not a pseudo-version: ${version}`);
  return match[1] as string;
}

/** The version go.mod's replace directive gives `module`; throws when it has none. */
export function replacedVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = goMod.match(new RegExp(`(?:^|\\s)${escaped}\\s+=>\\s+\\S+\\s+(v[0-9]\\S*)`, "m"));
  if (!match?.[1]) throw new Error(`go.mod does not replace ${module} with a module version`);
  return match[1];
}

/**
 * system-upgrade-controller's build-time variables as its release build sets them
 * (rancher/system-upgrade-controller v0.20.1 package/Dockerfile line 27: pkg/version Version and
 * GitCommit). The commit is the tag's, which tools/suc/go.mod pins pkg/apis at.
 */
export function sucVersionVars(goMod: string): Record<string, string> {
  const pkg = "github.com/rancher/system-upgrade-controller/pkg/version";
  return {
    [`${pkg}.Version`]: requiredVersion(goMod, "github.com/rancher/system-upgrade-controller"),
    [`${pkg}.GitCommit`]: pseudoVersionCommit(
      replacedVersion(goMod, "github.com/rancher/system-upgrade-controller/pkg/apis"),
    ),
  };
}

/** cloudflared release tags by commit: its tags are not semver, so go.mod pins the tag's commit. */
export const CLOUDFLARED_RELEASES: Readonly<Record<string, string>> = { "733bfb939963": "2026.8.2" };

/**
 * cloudflared's version as its Makefile sets it (cloudflare/cloudflared 2026.8.2 Makefile line 34,
 * main.Version; main.BuildTime, the build's date, stays unset so the binary is reproducible).
 */
export function cloudflaredVersionVars(goMod: string): Record<string, string> {
  const commit = pseudoVersionCommit(requiredVersion(goMod, "github.com/cloudflare/cloudflared"));
  const release = CLOUDFLARED_RELEASES[commit];
  if (!release)
    throw new Error(
      `tools/cloudflared/go.mod pins commit ${commit}: add its release tag to CLOUDFLARED_RELEASES`,
    );
  return { "main.Version": release };
}

/** Every tool `npm run tools:build` builds, in build order. */
export const GO_TOOLS: readonly GoTool[] = [
  { name: "etcd", moduleDir: "tools/etcd", pkg: "." },
  {
    name: "kube-apiserver",
    moduleDir: "tools/apiserver",
    pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
    linkerVars: (goMod) => kubeVersionVars(requiredVersion(goMod, "k8s.io/kubernetes")),
  },
  {
    name: "system-upgrade-controller",
    moduleDir: "tools/suc",
    pkg: "github.com/rancher/system-upgrade-controller",
    linkerVars: sucVersionVars,
  },
  {
    name: "cloudflared",
    moduleDir: "tools/cloudflared",
    pkg: "github.com/cloudflare/cloudflared/cmd/cloudflared",
    linkerVars: cloudflaredVersionVars,
  },
];

/** The `go build` arguments for `tool` (without the `-o` output). */
export function buildArgs(tool: GoTool, goMod: string): string[] {
  const vars = tool.linkerVars?.(goMod) ?? {};
  const ldflags = ["-s", "-w", ...Object.entries(vars).map(([k, v]) => `-X ${k}=${v}`)].join(" ");
  return ["build", "-trimpath", `-ldflags=${ldflags}`, tool.pkg];
}

/** Environment for `go`: the module proxy's modules as go.mod pins them, this machine's toolchain. */
export function goEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const flags = (base.GOFLAGS ?? "").split(/\s+/).filter((f) => f && !f.startsWith("-mod="));
  return { ...base, GOFLAGS: [...flags, "-mod=mod"].join(" "), GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
}

/** Path of a built tool, or undefined when it has not been built. */
export function toolPath(name: string): string | undefined {
  const path = join(TOOLS_BIN_DIR, name);
  return existsSync(path) ? path : undefined;
}

/** The go.mod text of a tool's module. */
export function readGoMod(tool: GoTool): string {
  return readFileSync(join(ROOT, tool.moduleDir, "go.mod"), "utf8");
}

/**
 * CRDs the test API server installs that `CRD_SCHEMAS_DIR` does not hold, copied from a Go module
 * (the module proxy is the only source reachable) into `.tools/crds/` by `npm run tools:build`.
 */
export interface ModuleCrds {
  /** Go module path. */
  readonly module: string;
  readonly version: string;
  /** Folder inside the module that holds the CRD files. */
  readonly dir: string;
}

/** Where {@link MODULE_CRDS} are copied to (ignored by git). */
export const TOOLS_CRDS_DIR = join(ROOT, ".tools", "crds");

export const MODULE_CRDS: readonly ModuleCrds[] = [
  /**
   * prometheus-operator's CRDs (monitoring.coreos.com: ServiceMonitor, PodMonitor, Probe,
   * PrometheusRule, ...), as the operator publishes them in example/prometheus-operator-crd/.
   * The operator release kube-prometheus-stack 92.9.0 ships could not be read here (its chart
   * repository is not reachable); v0.89.0 is the newest release the module proxy served.
   */
  {
    module: "github.com/prometheus-operator/prometheus-operator",
    version: "v0.89.0",
    dir: "example/prometheus-operator-crd",
  },
];

/**
 * The modules `go version -m` says the binary was built from agree with its go.mod: every
 * requirement the binary records is at go.mod's version, every replacement at the version go.mod
 * replaces it with, and at least one requirement is recorded. (The `-ldflags` are not recorded in
 * a `-trimpath` build; the stamp holds them.)
 */
export function modulesMatch(goMod: string, buildInfo: string): boolean {
  const recorded = new Map<string, string>();
  const replaced = new Map<string, string>();
  for (const line of buildInfo.split("\n")) {
    const [kind, path, version] = line.trim().split("\t");
    if ((kind === "mod" || kind === "dep") && path && version) recorded.set(path, version);
    if (kind === "=>" && path && version) replaced.set(path, version);
  }
  const requires = [...goMod.matchAll(/^(?:require\s+|\t)(\S+)\s+(v[^\s=]+)(?:\s*\/\/ indirect)?\s*$/gm)];
  let matched = 0;
  for (const [, path, version] of requires) {
    const built = recorded.get(path as string);
    if (built === undefined) continue;
    if (built !== version) return false;
    matched++;
  }
  const replaces = [...goMod.matchAll(/^\s*(\S+)\s+=>\s+(\S+)\s+(v\S+)\s*$/gm)];
  for (const [, , to, version] of replaces) {
    const built = replaced.get(to as string);
    if (built !== undefined && built !== version) return false;
  }
  return matched > 0;
}
