import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { K3S_VERSION } from "../../components/versions";
import {
  buildArgs,
  GO_TOOLS,
  goEnv,
  kubeVersionVars,
  modulesMatch,
  ROOT,
  readGoMod,
  requiredVersion,
} from "../../scripts/lib/tools";

const apiserver = GO_TOOLS.find((t) => t.name === "kube-apiserver");
if (!apiserver) throw new Error("kube-apiserver is not among GO_TOOLS");
const goMod = readGoMod(apiserver);

describe("Go tool builds", () => {
  it("pins k8s.io/kubernetes at the minor of the k3s release the program installs", () => {
    const minor = (v: string) => v.replace(/^v/, "").split(".").slice(0, 2).join(".");
    expect(minor(requiredVersion(goMod, "k8s.io/kubernetes"))).toBe(minor(K3S_VERSION));
  });

  it("replaces every staging module at the published tag of the same release (v1.x.y -> v0.x.y)", () => {
    // k8s.io/kubernetes v1.34.4 go.mod replaces each staging module with ./staging/src/k8s.io/<name>:
    // a consumer must replace all of them, each with the v0.<minor>.<patch> tag of that release.
    const release = requiredVersion(goMod, "k8s.io/kubernetes").replace(/^v1\./, "v0.");
    const replaces = [...goMod.matchAll(/^\s+(k8s\.io\/\S+) => (\S+) (v\S+)$/gm)];
    expect(replaces.length).toBeGreaterThanOrEqual(29);
    for (const [, from, to, version] of replaces) {
      expect(to).toBe(from);
      expect(version, from).toBe(release);
    }
    for (const needed of ["k8s.io/api", "k8s.io/apimachinery", "k8s.io/apiserver", "k8s.io/component-base"]) {
      expect(replaces.map((r) => r[1])).toContain(needed);
    }
  });

  it("stamps kube-apiserver with the release (component-base/version gitVersion, gitMajor, gitMinor)", () => {
    const ldflags = buildArgs(apiserver, goMod).find((a) => a.startsWith("-ldflags="));
    expect(ldflags).toContain(
      `-X k8s.io/component-base/version.gitVersion=${requiredVersion(goMod, "k8s.io/kubernetes")}`,
    );
    expect(ldflags).toContain("-X k8s.io/component-base/version.gitMajor=1");
    expect(ldflags).toContain("-X k8s.io/component-base/version.gitMinor=34");
    expect(() => kubeVersionVars("v1.34")).toThrow(/not a Kubernetes release version/);
  });

  it("builds every tool from a module of its own that the lock file pins", () => {
    const dirs = GO_TOOLS.map((t) => t.moduleDir);
    expect(new Set(dirs).size).toBe(dirs.length);
    for (const tool of GO_TOOLS) {
      expect(
        readFileSync(join(ROOT, tool.moduleDir, "go.sum"), "utf8").length,
        tool.moduleDir,
      ).toBeGreaterThan(0);
    }
    expect(
      requiredVersion(
        readFileSync(join(ROOT, "tools", "etcd", "go.mod"), "utf8"),
        "go.etcd.io/etcd/server/v3",
      ),
    ).toMatch(/^v3\.6\./);
  });

  it("runs go with the machine's toolchain and go.mod's module versions", () => {
    const env = goEnv({ GOFLAGS: "-buildvcs=false -mod=vendor" });
    expect(env.GOFLAGS).toBe("-buildvcs=false -mod=mod");
    expect(env.GOTOOLCHAIN).toBe("local");
    expect(() => requiredVersion("module x\n", "k8s.io/kubernetes")).toThrow(
      /does not require k8s.io\/kubernetes/,
    );
  });
});

describe("tools:build's cache check", () => {
  const goMod =
    "module m\n\nrequire k8s.io/kubernetes v1.34.4\n\nreplace (\n\tk8s.io/api => k8s.io/api v0.34.4\n)\n";
  const info = (kube: string, api: string) =>
    `bin: go1.26.8\n\tpath\tk8s.io/kubernetes/cmd/kube-apiserver\n\tmod\tk8s.io/kubernetes\t${kube}\th1:x\n\tdep\tk8s.io/api\tv0.0.0\n\t=>\tk8s.io/api\t${api}\th1:y\n`;

  it("accepts a binary built from go.mod's versions and refuses one built from others", () => {
    expect(modulesMatch(goMod, info("v1.34.4", "v0.34.4"))).toBe(true);
    expect(modulesMatch(goMod, info("v1.34.3", "v0.34.4"))).toBe(false);
    expect(modulesMatch(goMod, info("v1.34.4", "v0.34.3"))).toBe(false);
    expect(modulesMatch("module m\n", info("v1.34.4", "v0.34.4"))).toBe(false);
  });
});
