/**
 * `npm run plan -- --preview`: the program runs as `pulumi preview` of a new stack does (every
 * provider-computed output unknown; @pulumi/pulumi runtime/rpc.js resolveProperties resolves a
 * property the monitor leaves out as unknown during a dry run), the pack is fed the unknowns as
 * the engine marshals them, and what it could not decide is listed, never passed in silence.
 */
import { describe, expect, it } from "vitest";
import { readPlan, runPlanCli } from "../helpers/plan-cli";

describe("a preview plan", () => {
  it("runs the pack with unknowns: no crash, 0 mandatory, every undecided finding names the unknown value", () => {
    const run = runPlanCli(["--stack", "production", "--preview"]);
    expect(run.status, run.stderr).toBe(0);
    const plan = readPlan(run.outDir);
    // Generated secrets, IPs and IDs are unknown, so the objects made from them are too.
    const secret = plan.resources.find((r) => r.name === "redis-auth");
    expect(secret?.inputs.stringData).toBe("[unknown]");
    expect(plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    const undecided = plan.policy.undecided ?? [];
    expect(undecided.length).toBeGreaterThan(0);
    for (const u of undecided) {
      expect(u.enforcementLevel).toBe("advisory");
      expect(u.message).toMatch(/value at \.[\w.[\]-]+ can't be known during preview/);
      expect(run.stderr).toContain(`policy ${u.policy} could not decide ${u.urn}`);
    }
    // Chart children are fed in a preview too.
    expect(plan.policy.chartChildren?.fed).toBeGreaterThan(0);
  }, 600_000);
});
