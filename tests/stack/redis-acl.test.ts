/**
 * Issue 15 item 9: Redis per consumer, over both offline plans. Every Redis (the shared one in
 * `data`, each dedicated Janua's) has one credentials Secret per consumer, no Redis password
 * appears in clear anywhere in the plan, and the pods carry the digest that rolls them when a
 * user or password changes.
 */
import { describe, expect, it } from "vitest";
import { REDIS_CONFIG_ANNOTATION } from "../../components/data/redis-manifests";
import { mockOutputs } from "../../scripts/lib/mock-outputs";
import type { PlanResource } from "../../scripts/lib/plan-document";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

const planOf = planCommittedStacks();

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Inputs = Record<string, any>;
const meta = (r: PlanResource) => ((r.inputs as Inputs).metadata ?? {}) as Inputs;

describe.each(STACKS)("Redis per consumer, %s plan", (stack) => {
  const resources = () => planOf(stack).resources;
  const redisNamespaces = () =>
    resources()
      .filter((r) => (r.inputs as Inputs).kind === "StatefulSet" && meta(r).name === "redis")
      .map((r) => meta(r).namespace as string);

  it("never shows a Redis password in clear: not in an input, an output or a rendered config", () => {
    const passwords = resources().filter(
      (r) => r.type === "random:index/randomPassword:RandomPassword" && /redis-[a-z]+-password$/.test(r.name),
    );
    // One per consumer and system user of each Redis: at least the shared one's four.
    expect(passwords.length).toBeGreaterThanOrEqual(4);
    const plan = JSON.stringify(planOf(stack));
    for (const p of passwords) {
      // The value the offline plan's mock runtime gave this RandomPassword (scripts/lib/mock-outputs.ts).
      const value = mockOutputs(p.type, p.name, p.inputs).state.result as string;
      expect(value, p.name).toMatch(/^[0-9a-f]{40}$/);
      expect(plan.includes(value), `${p.name} appears in clear`).toBe(false);
    }
  });

  it("gives every consumer of every Redis its own credentials Secret, all values secret", () => {
    expect(redisNamespaces()).toContain("data");
    const secrets = (ns: string) =>
      resources()
        .filter((r) => (r.inputs as Inputs).kind === "Secret" && meta(r).namespace === ns)
        .filter((r) => /^redis-/.test(meta(r).name))
        .map((r) => [meta(r).name, (r.inputs as Inputs).stringData]);
    for (const ns of redisNamespaces()) {
      const expected =
        ns === "data"
          ? ["redis-auth", "redis-config", "redis-enclii", "redis-janua"]
          : ["redis-auth", "redis-config", "redis-janua"];
      expect(
        secrets(ns)
          .map(([name]) => name)
          .sort(),
        ns,
      ).toEqual(expected);
      for (const [name, stringData] of secrets(ns)) expect(stringData, `${ns}/${name}`).toBe("[secret]");
    }
  });

  it("annotates every Redis pod template with the config digest, in clear", () => {
    const sets = resources().filter(
      (r) => (r.inputs as Inputs).kind === "StatefulSet" && /^redis(-sentinel)?$/.test(meta(r).name),
    );
    expect(sets.length).toBe(
      redisNamespaces().length * (sets.some((s) => meta(s).name === "redis-sentinel") ? 2 : 1),
    );
    for (const sts of sets) {
      const annotations = (sts.inputs as Inputs).spec.template.metadata.annotations ?? {};
      expect(annotations[REDIS_CONFIG_ANNOTATION], sts.name).toMatch(/^[0-9a-f]{16}$/);
    }
  });
});
