/**
 * Issue 20 over both offline plans: the off-node alerting (Cloudflare's tunnel health
 * notification where it is on) and a tunnel replacement that Cloudflare accepts (delete first:
 * two tunnels of one name are refused).
 */
import { describe, expect, it } from "vitest";
import { TUNNEL_HEALTH_ALERT_TYPE } from "../../components/edge/tunnel-health";
import { planCommittedStacks } from "../helpers/plan-cli";

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

  it("staging has no tunnel health policy (off by default outside production)", () => {
    expect(planOf("staging").resources.filter((r) => r.type === POLICY)).toEqual([]);
  });

  it.each(["production", "staging"] as const)("%s replaces its tunnel delete-first", (stack) => {
    const tunnels = planOf(stack).resources.filter((r) => r.type === TUNNEL);
    expect(tunnels).toHaveLength(1);
    expect(tunnels[0]?.deleteBeforeReplace).toBe(true);
    expect((tunnels[0]?.inputs as Inputs).name).toBe(`enclii-${stack}`);
  });
});
