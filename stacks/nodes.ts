/**
 * Composes the machines and the cluster from the stack config: Robot dedicated servers, hcloud
 * servers on a shared network, the vSwitch between them, and k3s on all of them; or an
 * existing cluster's kubeconfig. Holds no resource details of its own.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NodeNames } from "../components/edge/node-names";
import { planAddresses } from "../components/hetzner/addressing";
import { CloudNetwork } from "../components/hetzner/cloud-network";
import { CloudServer } from "../components/hetzner/cloud-server";
import { DedicatedServer } from "../components/hetzner/dedicated-server";
import { VSWITCH_MTU, type VSwitchInterface } from "../components/hetzner/node-prep";
import { type RobotConnectionArgs, RobotVSwitch } from "../components/hetzner/robot-resources";
import { Cluster, type ClusterEtcdS3, type ClusterNodeArgs } from "../components/k3s/cluster";
import { ExistingCluster } from "../components/k3s/existing-cluster";
import type { StackConfig, StackSecrets } from "./config";

/** A node as the stack outputs show it. */
export interface NodeOutput {
  readonly name: string;
  readonly kind: string;
  readonly role: string;
  readonly publicIpv4: pulumi.Output<string> | string | null;
  /** The node's public IPv6 prefix (an hcloud server's /64), when known. */
  readonly publicIpv6: pulumi.Output<string> | string | null;
  readonly privateIp: string | null;
}

/** The cluster, however it came to be. */
export interface ClusterResult {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly apiEndpoint: pulumi.Output<string>;
  readonly nodes: NodeOutput[];
  /** Whether this program installed k3s (and so manages its upgrades). */
  readonly provisioned: boolean;
  /**
   * Every public address of every node (IPv4, and IPv6 where known: a cloud server's /64),
   * resolved from the providers: tenant egress excepts them all.
   */
  readonly nodeAddresses: pulumi.Input<string>[];
}

/** The VLAN id of the vSwitch when `k3s.vswitchVlan` is not set. */
export const DEFAULT_VSWITCH_VLAN = 4000;

const need = <T>(value: T | undefined, key: string): T => {
  // The config loader already reported missing secrets; this guards programming errors only.
  if (value === undefined) throw new Error(`secret ${key} is required here`);
  return value;
};

/** Builds the nodes and the k3s cluster (or adopts an existing one). */
export function buildCluster(
  config: StackConfig,
  secrets: StackSecrets,
  podSecurityExemptions: string[],
  etcdS3?: ClusterEtcdS3,
): ClusterResult {
  if (config.nodes.every((n) => n.kind === "existing")) {
    const existing = new ExistingCluster("cluster", {
      kubeconfig: need(secrets.kubeconfig, "enclii-infra:kubeconfig"),
    });
    return {
      provider: existing.provider,
      kubeconfig: existing.kubeconfig,
      apiEndpoint: existing.apiEndpoint,
      nodes: config.nodes.map((n) => ({
        name: n.name,
        kind: n.kind,
        role: n.role,
        publicIpv4: n.kind === "existing" ? (n.host ?? null) : null,
        publicIpv6: null,
        privateIp: null,
      })),
      provisioned: false,
      nodeAddresses: config.nodes.flatMap((n) => (n.kind === "existing" && n.host ? [n.host] : [])),
    };
  }

  const prefix = `enclii-${config.stack}`;
  // SSH goes to a stable name, not an address: it resolves to the node from a workstation and
  // to a `cloudflared access` loopback in CI (docs/deploy.md), so commands see one connection.
  const sshHost = (nodeName: string) => `${nodeName}.${config.domain}`;
  const labels = { "managed-by": "enclii-infra", stack: config.stack, environment: config.environment };
  const addressing = planAddresses(config.nodes, config.k3s.privateNetworkCidr);
  const robot = (): RobotConnectionArgs => ({
    user: need(secrets.robotUser, "enclii-infra:robotUser"),
    password: need(secrets.robotPassword, "enclii-infra:robotPassword"),
  });
  const protect = config.protect;
  const clusterNodes: ClusterNodeArgs[] = [];
  const outputs: NodeOutput[] = [];
  const nodeAddresses: pulumi.Input<string>[] = [];

  const dedicated = config.nodes.filter((n) => n.kind === "dedicated");
  const cloud = config.nodes.filter((n) => n.kind === "cloud");
  const vlan = config.k3s.vswitchVlan ?? DEFAULT_VSWITCH_VLAN;
  // Two dedicated servers share a vSwitch with or without cloud nodes; one joins cloud nodes
  // through it. Deleting a vSwitch cancels it at once, so production protects it.
  const robotVSwitch = addressing.vswitch
    ? new RobotVSwitch(
        "vswitch",
        {
          name: prefix,
          vlan,
          serverNumbers: dedicated.map((n) => n.serverNumber),
          connection: robot(),
        },
        {
          protect,
          // Earlier versions created it inside the hcloud network component.
          aliases: [
            { name: "hcloud-vswitch", parent: pulumi.createUrn("hcloud", "enclii:hetzner:CloudNetwork") },
          ],
        },
      )
    : undefined;
  const network =
    cloud.length > 0
      ? new CloudNetwork("hcloud", {
          prefix,
          location: cloud[0]?.location ?? "fsn1",
          addressing,
          adminCidrs: config.access.adminCidrs,
          allowWideCidrs: config.access.allowWideCidrs,
          sshPublicKey: config.access.sshPublicKeys[0],
          existingSshKeyName: config.access.hcloudSshKeyName,
          labels,
          deleteProtection: protect,
          vswitchId: robotVSwitch?.vswitchId,
        })
      : undefined;

  for (const node of dedicated) {
    const server = new DedicatedServer(node.name, {
      serverNumber: node.serverNumber,
      ipv4: node.ipv4,
      hostname: node.name,
      reverseDns: node.reverseDns ?? `${node.name}.${config.domain}`,
      adminCidrs: config.access.adminCidrs,
      allowWideCidrs: config.access.allowWideCidrs,
      ...(addressing.vswitch
        ? {
            privateNetwork: {
              sourceCidr: addressing.networkCidr,
              vswitchSubnet: addressing.vswitchSubnet,
            },
          }
        : {}),
      robot: robot(),
    });
    const privateIp = addressing.privateIps[node.name];
    const vswitch: VSwitchInterface | undefined =
      addressing.vswitch && privateIp
        ? {
            vlan,
            address: `${privateIp}/24`,
            // Only a vSwitch coupled to hcloud has a gateway; dedicated servers alone are on-link.
            ...(addressing.vswitchGateway ? { gateway: addressing.vswitchGateway } : {}),
            networkCidr: addressing.networkCidr,
          }
        : undefined;
    clusterNodes.push({
      name: node.name,
      role: node.role,
      publicIp: server.ipv4,
      sshHost: sshHost(node.name),
      privateIp,
      labels: node.labels,
      taints: node.taints,
      vswitch,
      // SSH is only opened to the admin CIDRs once the firewall is active; the VLAN is
      // configured once the server is attached to the vSwitch.
      dependsOn: [
        server.firewall,
        ...(robotVSwitch ? [robotVSwitch] : []),
        ...(network ? network.subnets : []),
      ],
    });
    outputs.push({
      name: node.name,
      kind: node.kind,
      role: node.role,
      publicIpv4: node.ipv4,
      publicIpv6: server.ipv6Network,
      privateIp: privateIp ?? null,
    });
    nodeAddresses.push(node.ipv4, server.ipv6Network);
  }

  for (const node of cloud) {
    const privateIp = addressing.privateIps[node.name] as string;
    const server = new CloudServer(node.name, {
      hostname: node.name,
      serverType: node.serverType,
      location: node.location,
      image: node.image,
      privateIp,
      network: network as CloudNetwork,
      sshPublicKeys: config.access.sshPublicKeys,
      labels: { ...labels, role: node.role },
      protection: protect,
    });
    clusterNodes.push({
      name: node.name,
      role: node.role,
      publicIp: server.ipv4,
      sshHost: sshHost(node.name),
      privateIp,
      labels: node.labels,
      taints: node.taints,
      // One MTU on every path the vSwitch carries: hcloud's private 1450 would not fit it.
      ...(addressing.vswitch ? { privateMtu: VSWITCH_MTU } : {}),
      dependsOn: [server.server],
    });
    outputs.push({
      name: node.name,
      kind: node.kind,
      role: node.role,
      publicIpv4: server.ipv4,
      publicIpv6: server.ipv6Network,
      privateIp,
    });
    nodeAddresses.push(server.ipv4, server.ipv6Network);
  }

  // The stable names SSH and the kubeconfig dial; each node's bootstrap waits for its own, the
  // first server's also for the API name (the Kubernetes provider dials it next).
  const firstServer = clusterNodes.find((n) => n.role === "server");
  const names = new NodeNames("node-names", {
    zoneId: config.cloudflare.zoneId,
    names: [
      ...clusterNodes.map((n) => ({ name: sshHost(n.name), ipv4: n.publicIp, purpose: `SSH of ${n.name}` })),
      ...(firstServer
        ? [{ name: config.k3s.apiHostname, ipv4: firstServer.publicIp, purpose: "Kubernetes API" }]
        : []),
    ],
  });
  const withNames = clusterNodes.map(
    (n): ClusterNodeArgs => ({
      ...n,
      dependsOn: [
        ...(n.dependsOn ?? []),
        names.records[sshHost(n.name)] as pulumi.Resource,
        ...(n === firstServer ? [names.records[config.k3s.apiHostname] as pulumi.Resource] : []),
      ],
    }),
  );

  const cluster = new Cluster("k3s", {
    nodes: withNames,
    version: config.k3s.version,
    sshPrivateKey: need(secrets.sshPrivateKey, "enclii-infra:sshPrivateKey"),
    clusterCidr: config.k3s.clusterCidr,
    serviceCidr: config.k3s.serviceCidr,
    tlsSans: config.k3s.tlsSans,
    apiHostname: config.k3s.apiHostname,
    etcdSnapshots: config.k3s.etcdSnapshots,
    etcdS3,
    podSecurityExemptions,
    contextName: prefix,
  });
  return {
    provider: cluster.provider,
    kubeconfig: cluster.kubeconfig,
    apiEndpoint: cluster.apiEndpoint,
    nodes: outputs,
    provisioned: true,
    nodeAddresses,
  };
}
