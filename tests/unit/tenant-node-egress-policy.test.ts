/**
 * tenancy-netpol-forbid-node-egress on a tenant stamp the component renders, with node addresses
 * given the way the stack declares them (node name records, hcloud and Robot server outputs).
 */
import { describe, expect, it } from "vitest";
import { renderTenant } from "../../components/tenancy/tenant-manifests";
import { nodeAddresses, probeAddresses } from "../../policies/lib/node-addresses";
import { runStackPolicy, stackResource } from "../helpers/policy-run";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped manifests
type Obj = Record<string, any>;
const POLICY = "tenancy-netpol-forbid-node-egress";
const NODE_V4 = "203.0.113.10";
const NODE_V6_NET = "2a01:4f8:10a:1f80::/64";
const CLOUD_V4 = "198.51.100.7";

const ranges = {
  clusterCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
  privateNetworkCidr: "10.0.0.0/16",
  nodeIps: [NODE_V4, NODE_V6_NET, CLOUD_V4],
};
const stamp = (nodeIps = ranges.nodeIps): Obj[] =>
  renderTenant({
    slug: "acme",
    tier: "starter",
    environment: "production",
    hostnames: ["acme.enclii.dev"],
    ranges: { ...ranges, nodeIps },
    controlPlane: {
      namespace: "enclii",
      port: 4200,
      podLabels: { "app.kubernetes.io/name": "switchyard-api" },
    },
    janua: { namespace: "janua", port: 8080, podLabels: { "app.kubernetes.io/name": "janua" }, shared: true },
  }) as Obj[];

/** The node addresses as the stack's resources carry them. */
const NODES = [
  stackResource("cloudflare:index/dnsRecord:DnsRecord", {
    name: "ax41-fsn1-1.enclii.dev",
    type: "A",
    content: NODE_V4,
    comment: "enclii-infra: node address (SSH of ax41-fsn1-1)",
  }),
  stackResource("pulumi-nodejs:dynamic/enclii:RobotServerName", {
    serverNumber: 1,
    serverIp: NODE_V4,
    serverIpv6Net: NODE_V6_NET,
  }),
  stackResource("hcloud:index/server:Server", { name: "cpx31-1", ipv4Address: CLOUD_V4, ipv6Network: "" }),
];

const kinds: Record<string, string> = {
  Namespace: "kubernetes:core/v1:Namespace",
  NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const asResources = (objects: Obj[]) =>
  objects
    .filter((o) => kinds[o.kind])
    .map((o) =>
      stackResource(kinds[o.kind] as string, o, {
        urn: `urn:pulumi:staging::enclii-infra::${kinds[o.kind]}::${o.metadata.name}`,
      }),
    );
const run = (objects: Obj[]) =>
  runStackPolicy(POLICY, [...NODES, ...asResources(objects)]).map((v) => v.message);
const egress = (objects: Obj[]) =>
  objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-egress") as Obj;

describe("tenancy-netpol-forbid-node-egress", () => {
  it("finds node addresses in the node name records and the server outputs", () => {
    expect(nodeAddresses(NODES).map((a) => a.address)).toEqual([
      NODE_V4,
      "2a01:4f8:10a:1f80::",
      "2a01:4f8:10a:1f80::1",
      CLOUD_V4,
    ]);
    expect(probeAddresses("")).toEqual([]);
  });

  it("passes the tenant stamp the component renders", () => {
    expect(run(stamp())).toEqual([]);
  });

  it("fails when the internet egress rule no longer excludes one node", () => {
    expect(run(stamp([NODE_V4, NODE_V6_NET]))).toEqual([
      `tenant namespace tenant-acme: a pod can reach ${CLOUD_V4} (hcloud server cpx31-1) on TCP 22; exclude it from the egress rules`,
    ]);
  });

  it("fails when the node's IPv6 /64 is missing from the IPv6 except", () => {
    expect(run(stamp([NODE_V4, CLOUD_V4]))).toEqual([
      "tenant namespace tenant-acme: a pod can reach 2a01:4f8:10a:1f80:: (Robot server 1) on TCP 22; exclude it from the egress rules",
      "tenant namespace tenant-acme: a pod can reach 2a01:4f8:10a:1f80::1 (Robot server 1) on TCP 22; exclude it from the egress rules",
    ]);
  });

  it("fails when link-local is no longer excluded: the metadata service becomes reachable", () => {
    const objects = stamp();
    const v4 = egress(objects).spec.egress[0].to[0].ipBlock;
    v4.except = v4.except.filter((c: string) => c !== "169.254.0.0/16");
    expect(run(objects)).toEqual([
      "tenant namespace tenant-acme: a pod can reach 169.254.169.254 (the metadata service) on TCP 22; exclude it from the egress rules",
    ]);
  });

  it("fails when an extra policy opens the kubelet port to any address, and names that policy", () => {
    const objects = stamp();
    objects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "kubelet", namespace: "tenant-acme" },
      spec: {
        podSelector: { matchLabels: { app: "agent" } },
        policyTypes: ["Egress"],
        egress: [{ ports: [{ port: 10250, protocol: "TCP" }], to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
      },
    });
    const found = runStackPolicy(POLICY, [...NODES, ...asResources(objects)]);
    expect(found.map((v) => v.message)).toEqual([
      `tenant namespace tenant-acme: a pod can reach ${NODE_V4} (DNS record ax41-fsn1-1.enclii.dev) on TCP 10250; exclude it from the egress rules`,
      `tenant namespace tenant-acme: a pod can reach ${CLOUD_V4} (hcloud server cpx31-1) on TCP 10250; exclude it from the egress rules`,
      "tenant namespace tenant-acme: a pod can reach 169.254.169.254 (the metadata service) on TCP 10250; exclude it from the egress rules",
    ]);
    expect(found[0]?.urn).toContain("::kubelet");
  });

  it("fails when a policy selecting pods by a matchExpressions Exists opens a node port", () => {
    const objects = stamp();
    objects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "db", namespace: "tenant-acme" },
      spec: {
        podSelector: { matchExpressions: [{ key: "cnpg.io/cluster", operator: "Exists" }] },
        policyTypes: ["Egress"],
        egress: [{ ports: [{ port: 6443, protocol: "TCP" }] }],
      },
    });
    const found = runStackPolicy(POLICY, [...NODES, ...asResources(objects)]);
    expect(found.map((v) => v.message)).toContain(
      `tenant namespace tenant-acme: a pod can reach ${NODE_V4} (DNS record ax41-fsn1-1.enclii.dev) on TCP 6443; exclude it from the egress rules`,
    );
    expect(found.every((v) => v.urn?.endsWith("::db"))).toBe(true);
  });

  it("judges only namespaces tenant apps run in, not a tenant's dedicated Janua namespace", () => {
    const objects = stamp([NODE_V4]).map((o) => JSON.parse(JSON.stringify(o)) as Obj);
    const ns = objects.find((o) => o.kind === "Namespace") as Obj;
    delete ns.metadata.labels["enclii.dev/type"];
    expect(run(objects)).toEqual([]);
  });
});
