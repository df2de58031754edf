import { describe, expect, it } from "vitest";
import { planAddresses } from "../../components/hetzner/addressing";

describe("private address plan", () => {
  it("gives a single dedicated server no private network (it talks on its public address)", () => {
    expect(planAddresses([{ name: "ax41", kind: "dedicated" }], "10.0.0.0/16")).toMatchObject({
      hcloudNetwork: false,
      vswitch: false,
      privateIps: {},
    });
  });

  it("puts cloud nodes on 10.0.1.x from .10", () => {
    const plan = planAddresses(
      [
        { name: "a", kind: "cloud" },
        { name: "b", kind: "cloud" },
      ],
      "10.0.0.0/16",
    );
    expect(plan).toMatchObject({ hcloudNetwork: true, vswitch: false, cloudSubnet: "10.0.1.0/24" });
    expect(plan.privateIps).toEqual({ a: "10.0.1.10", b: "10.0.1.11" });
  });

  it("joins a dedicated server and cloud nodes through a vSwitch subnet with its gateway", () => {
    const plan = planAddresses(
      [
        { name: "ax41", kind: "dedicated" },
        { name: "c1", kind: "cloud" },
      ],
      "10.0.0.0/16",
    );
    expect(plan).toMatchObject({ vswitch: true, vswitchSubnet: "10.0.2.0/24", vswitchGateway: "10.0.2.1" });
    expect(plan.privateIps).toEqual({ c1: "10.0.1.10", ax41: "10.0.2.10" });
  });

  it("keeps existing addresses when a node of another kind is added", () => {
    const before = planAddresses([{ name: "c1", kind: "cloud" }], "10.0.0.0/16");
    const after = planAddresses(
      [
        { name: "c1", kind: "cloud" },
        { name: "ax41", kind: "dedicated" },
      ],
      "10.0.0.0/16",
    );
    expect(after.privateIps.c1).toBe(before.privateIps.c1);
  });

  it("fails on a network too small to hold three /24 subnets", () => {
    expect(() => planAddresses([{ name: "a", kind: "cloud" }], "10.0.0.0/24")).toThrow(
      "must be an IPv4 block of /22 or larger",
    );
  });
});
