/**
 * Issue 20 over both offline plans: the off-node alerting (Cloudflare's tunnel health
 * notification where it is on), a tunnel replacement that Cloudflare accepts (delete first:
 * two tunnels of one name are refused), and what docs/runbooks/add-node.md says happens to the
 * first server when a second node joins (planned from the production config plus one agent).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TUNNEL_HEALTH_ALERT_TYPE } from "../../components/edge/tunnel-health";
import type { PlanDocument } from "../../scripts/lib/plan-document";
import { planCommittedStacks, ROOT, readPlan, runPlanCli } from "../helpers/plan-cli";

const planOf = planCommittedStacks();

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary inputs
type Inputs = Record<string, any>;
const POLICY = "cloudflare:index/notificationPolicy:NotificationPolicy";
const TUNNEL = "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared";

describe("operations in the committed plans", () => {
  it("production emails Cloudflare's tunnel health alert to the alert recipients", () => {
    const policies = planOf("production").resources.filter((r) => r.type === POLICY);
    expect(policies).toHaveLength(1);
    const inputs = policies[0]?.inputs as Inputs;
    expect(inputs.alertType).toBe(TUNNEL_HEALTH_ALERT_TYPE);
    expect(inputs.enabled).toBe(true);
    expect(inputs.mechanisms.emails).toEqual([{ id: "ops@enclii.dev" }]);
  });

  it("filters production's tunnel health policy to production's own tunnel, named after it", () => {
    const plan = planOf("production");
    const policy = plan.resources.find((r) => r.type === POLICY);
    const tunnel = plan.resources.find((r) => r.type === TUNNEL);
    const inputs = policy?.inputs as Inputs;
    expect(inputs.name).toBe("enclii-production: Cloudflare Tunnel health");
    // One tunnel id, taken from the stack's tunnel (not another tunnel of the account).
    expect(inputs.filters.tunnelIds).toHaveLength(1);
    expect(policy?.dependencies).toContain(tunnel?.urn);
  });

  it("staging has no tunnel health policy (off by default outside production)", () => {
    expect(planOf("staging").resources.filter((r) => r.type === POLICY)).toEqual([]);
  });

  it.each(["production", "staging"] as const)("%s replaces its tunnel delete-first", (stack) => {
    const tunnels = planOf(stack).resources.filter((r) => r.type === TUNNEL);
    expect(tunnels).toHaveLength(1);
    expect(tunnels[0]?.deleteBeforeReplace).toBe(true);
    expect((tunnels[0]?.inputs as Inputs | undefined)?.name).toBe(`enclii-${stack}`);
  });
});

describe("adding a second node (docs/runbooks/add-node.md)", () => {
  let grown: PlanDocument | undefined;
  let stderr = "";
  beforeAll(() => {
    // The production config plus one hcloud agent; one admin CIDR (the vSwitch takes a Robot rule).
    const text = readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8")
      .replace(
        "      reverseDns: ax41-fsn1-1.enclii.dev\n",
        "      reverseDns: ax41-fsn1-1.enclii.dev\n    - name: cpx31-fsn1-1\n      kind: cloud\n      role: agent\n      serverType: cpx31\n      location: fsn1\n",
      )
      .replace("      - 2001:db8:100::/48\n", "");
    const file = join(mkdtempSync(join(tmpdir(), "add-node-")), "Pulumi.production.yaml");
    writeFileSync(file, text);
    const run = runPlanCli(["--stack", "production", "--config-file", file]);
    stderr = run.stderr;
    if (run.status === 0) grown = readPlan(run.outDir);
  }, 240_000);

  const configOf = (plan: PlanDocument) =>
    JSON.stringify(plan.resources.find((r) => r.name === "k3s-ax41-fsn1-1-config")?.inputs ?? {});

  it("moves the first server's node-ip and advertise-address to the private network, as the runbook says", () => {
    expect(grown, stderr).toBeDefined();
    const before = configOf(planOf("production"));
    const after = configOf(grown as PlanDocument);
    expect(before).toContain("node-ip: 203.0.113.10");
    expect(before).toContain("advertise-address: 203.0.113.10");
    expect(after).toContain("node-ip: 10.0.2.10");
    expect(after).toContain("advertise-address: 10.0.2.10");
    expect(after).toContain("node-external-ip: 203.0.113.10");
    const runbook = readFileSync(join(ROOT, "docs", "runbooks", "add-node.md"), "utf8");
    expect(runbook).toContain("`node-ip: <private IP>` (10.0.2.10)");
    expect(runbook).toContain("203.0.113.10");
  });
});
