/**
 * The nodes' private network and the tenants' boundary to the nodes, through whole plans:
 * production as committed, production with the README's add-node example (an hcloud agent next
 * to the AX41), production with a second dedicated server, and staging.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { type Endpoint, mayConnect } from "../../components/tenancy/netpol-eval";
import type { PlanDocument } from "../../scripts/lib/plan-document";
import { listFiles, type PlanRun, ROOT, readPlan, runPlanCli } from "../helpers/plan-cli";

type Obj = Record<string, unknown>;

const CLOUD_AGENT = {
  name: "cpx31-fsn1-1",
  kind: "cloud",
  role: "agent",
  serverType: "cpx31",
  location: "fsn1",
};
const SECOND_AX41 = {
  name: "ax41-fsn1-2",
  kind: "dedicated",
  role: "agent",
  serverNumber: 2345679,
  ipv4: "203.0.113.20",
  product: "AX41-NVMe",
};

/** Production's stack file with `change` applied to its config, written next to the plan. */
function productionWith(dir: string, name: string, change: (config: Obj) => void): string {
  const doc = parseDocument(readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8"));
  const config = doc.toJS().config as Obj;
  change(config);
  doc.set("config", config);
  const file = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(file, doc.toString());
  return file;
}

const runs = new Map<string, PlanRun>();
const plans = new Map<string, PlanDocument>();

beforeAll(() => {
  const scratch = runPlanCli(["--stack", "production"]);
  runs.set("production", scratch);
  // On a vSwitch the Robot firewall spends one of its 10 input rules on the private network,
  // which leaves room for one admin CIDR (README "Adding a node").
  const oneAdminCidr = (c: Obj) => {
    const access = c["enclii-infra:access"] as Obj;
    access.adminCidrs = (access.adminCidrs as string[]).slice(0, 1);
  };
  const variants: Record<string, (config: Obj) => void> = {
    "with-cloud-agent": (c) => {
      (c["enclii-infra:nodes"] as Obj[]).push(CLOUD_AGENT);
      oneAdminCidr(c);
    },
    "with-second-ax41": (c) => {
      (c["enclii-infra:nodes"] as Obj[]).push(SECOND_AX41);
      oneAdminCidr(c);
    },
    "vswitch-with-two-admin-cidrs": (c) => {
      (c["enclii-infra:nodes"] as Obj[]).push(CLOUD_AGENT);
    },
    "vlan-without-vswitch": (c) => {
      c["enclii-infra:k3s"] = { ...(c["enclii-infra:k3s"] as Obj), vswitchVlan: 4001 };
    },
  };
  for (const [name, change] of Object.entries(variants)) {
    runs.set(
      name,
      runPlanCli(["--stack", "production", "--config-file", productionWith(scratch.outDir, name, change)]),
    );
  }
  runs.set("staging", runPlanCli(["--stack", "staging"]));
  for (const [name, run] of runs) if (run.status === 0) plans.set(name, readPlan(run.outDir));
}, 300_000);

const plan = (name: string) => {
  const run = runs.get(name) as PlanRun;
  expect(run.status, run.stderr).toBe(0);
  return plans.get(name) as PlanDocument;
};
const byType = (p: PlanDocument, type: string) => p.resources.filter((r) => r.type === type);
const prepScript = (p: PlanDocument, node: string) =>
  String(p.resources.find((r) => r.name === `k3s-${node}-prep`)?.inputs.stdin);

describe("the private network between nodes", () => {
  it("a single AX41 has no vSwitch and no private interface", () => {
    const p = plan("production");
    expect(byType(p, "pulumi-nodejs:dynamic/enclii:RobotVSwitch")).toHaveLength(0);
    expect(prepScript(p, "ax41-fsn1-1")).not.toContain("vlan");
  });

  it("an hcloud agent next to the AX41: a vSwitch coupled to the network, routed through its gateway, one MTU", () => {
    const p = plan("with-cloud-agent");
    expect(byType(p, "pulumi-nodejs:dynamic/enclii:RobotVSwitch")).toHaveLength(1);
    const subnets = byType(p, "hcloud:index/networkSubnet:NetworkSubnet");
    expect(subnets.find((s) => s.inputs.type === "vswitch")?.inputs).toMatchObject({
      networkZone: "eu-central",
      ipRange: "10.0.2.0/24",
    });
    const dedicated = prepScript(p, "ax41-fsn1-1");
    expect(dedicated).toContain("      mtu: 1400");
    expect(dedicated).toContain("        - to: 10.0.0.0/16\n          via: 10.0.2.1");
    expect(dedicated).toContain('awk -v ip="10.0.2.10"');
    const cloud = prepScript(p, "cpx31-fsn1-1");
    expect(cloud).toContain('ip link set dev "$iface" mtu 1400');
    expect(cloud).toContain('awk -v ip="10.0.1.10"');
  });

  it("two AX41s without cloud nodes share a vSwitch and talk on-link, with no route", () => {
    const p = plan("with-second-ax41");
    const [vswitch] = byType(p, "pulumi-nodejs:dynamic/enclii:RobotVSwitch");
    expect(vswitch?.inputs).toMatchObject({ vlan: 4000, serverNumbers: [2345678, 2345679] });
    expect(vswitch?.protect).toBe(true);
    expect(p.resources.some((r) => r.type.startsWith("hcloud:"))).toBe(false);
    for (const node of ["ax41-fsn1-1", "ax41-fsn1-2"]) {
      const script = prepScript(p, node);
      expect(script).toContain("    vlan4000:");
      expect(script).not.toContain("routes:");
      // The VLAN is configured only once the server is attached to the vSwitch.
      expect(p.resources.find((r) => r.name === `k3s-${node}-prep`)?.dependencies).toContain(vswitch?.urn);
    }
  });

  it("refuses a second admin CIDR once the vSwitch takes its firewall rule, before any resource", () => {
    const run = runs.get("vswitch-with-two-admin-cidrs") as PlanRun;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "enclii-infra:access.adminCidrs: the Robot firewall holds 10 input rules, 7 of them fixed (one for the vSwitch's private network)",
    );
  });

  it("refuses k3s.vswitchVlan when no vSwitch would exist", () => {
    const run = runs.get("vlan-without-vswitch") as PlanRun;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("enclii-infra:k3s.vswitchVlan: sets a Robot vSwitch");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.each(["production", "with-cloud-agent", "with-second-ax41", "staging"])(
  "tenant egress and the nodes: %s",
  (name) => {
    it("no tenant pod reaches any node's SSH, API, kubelet or node-exporter, over IPv4 or IPv6", () => {
      const p = plan(name);
      const outDir = (runs.get(name) as PlanRun).outDir;
      const manifests = listFiles(join(outDir, "manifests"))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => parse(readFileSync(join(outDir, "manifests", f), "utf8")) as Obj);
      const policies = manifests.filter((m) => m.kind === "NetworkPolicy");
      const nodes = (p.outputs as { nodes: { publicIpv4: string; publicIpv6: string | null }[] }).nodes;
      const addresses = nodes.flatMap((n) => [
        n.publicIpv4,
        // An address inside the node's /64.
        ...(n.publicIpv6 ? [n.publicIpv6.replace(/::\/64$/, "::1")] : []),
      ]);
      expect(addresses.length).toBeGreaterThanOrEqual(nodes.length);
      const tenants = manifests
        .filter((m) => m.kind === "Namespace")
        .map((m) => m.metadata as { name: string; labels: Record<string, string> })
        .filter((meta) => meta.name.startsWith("tenant-"));
      expect(tenants.length).toBeGreaterThan(0);
      for (const ns of tenants) {
        const pod: Endpoint = {
          kind: "pod",
          namespace: ns.name,
          namespaceLabels: ns.labels,
          labels: { app: "web" },
        };
        expect(mayConnect(policies, pod, { kind: "ip", ip: "1.1.1.1" }, 443), ns.name).toBe(true);
        for (const ip of addresses) {
          for (const port of [22, 6443, 10250, 9100]) {
            expect(mayConnect(policies, pod, { kind: "ip", ip }, port), `${ns.name} -> ${ip}:${port}`).toBe(
              false,
            );
          }
        }
      }
    });
  },
);
