/**
 * The controllers' entries in the tools build (scripts/lib/tools.ts): the version variables each
 * binary is linked with come from its module's go.mod pins, as upstream's own release builds set
 * them (system-upgrade-controller v0.20.1 package/Dockerfile line 27; cloudflared 2026.8.2
 * Makefile line 34).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildArgs,
  cloudflaredVersionVars,
  GO_TOOLS,
  pseudoVersionCommit,
  readGoMod,
  sucVersionVars,
} from "../../scripts/lib/tools";

const goMod = (dir: string) => readFileSync(join(__dirname, "..", "..", "tools", dir, "go.mod"), "utf8");

describe("controller tools", () => {
  it("links system-upgrade-controller with the pinned release and the tag's commit", () => {
    expect(sucVersionVars(goMod("suc"))).toEqual({
      "github.com/rancher/system-upgrade-controller/pkg/version.Version": "v0.20.1",
      "github.com/rancher/system-upgrade-controller/pkg/version.GitCommit": "f1362a3fe1a8",
    });
  });

  it("links cloudflared with the release its pinned commit is tagged as", () => {
    expect(cloudflaredVersionVars(goMod("cloudflared"))).toEqual({ "main.Version": "2026.8.2" });
  });

  it("fails when cloudflared's go.mod pins a commit with no known release tag", () => {
    const moved = goMod("cloudflared").replace(
      "v0.0.0-20260814112252-733bfb939963",
      "v0.0.0-20260820095427-d1df7985bdf1",
    );
    expect(() => cloudflaredVersionVars(moved)).toThrow(
      "pins commit d1df7985bdf1: add its release tag to CLOUDFLARED_RELEASES",
    );
  });

  it("reads the commit of a pseudo-version and refuses a release version", () => {
    expect(pseudoVersionCommit("v0.0.0-20260519183600-f1362a3fe1a8")).toBe("f1362a3fe1a8");
    expect(pseudoVersionCommit("v1.2.4-0.20260519183600-f1362a3fe1a8")).toBe("f1362a3fe1a8");
    expect(() => pseudoVersionCommit("v0.20.1")).toThrow("not a pseudo-version: v0.20.1");
  });

  it("builds both controllers from their own modules with those variables", () => {
    for (const [name, dir, flag] of [
      ["system-upgrade-controller", "tools/suc", "pkg/version.Version=v0.20.1"],
      ["cloudflared", "tools/cloudflared", "main.Version=2026.8.2"],
    ] as const) {
      const tool = GO_TOOLS.find((t) => t.name === name);
      expect(tool?.moduleDir).toBe(dir);
      const args = buildArgs(tool as (typeof GO_TOOLS)[number], readGoMod(tool as (typeof GO_TOOLS)[number]));
      expect(args.find((a) => a.startsWith("-ldflags="))).toContain(flag);
    }
  });
});
