/**
 * `enclii:k3s:Cluster`: bootstraps k3s on prepared machines over SSH (`@pulumi/command`):
 * node preparation, the k3s configuration, a pinned install, a bounded readiness wait, and the
 * kubeconfig read back as a secret and turned into the `k8s.Provider` every Kubernetes resource
 * uses. Re-running applies configuration changes idempotently; the k3s version itself is
 * upgraded by the system-upgrade-controller Plans (see `UpgradeController`), never reinstalled.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderNodePrepScript, type VSwitchInterface } from "../hetzner/node-prep";
import {
  type EtcdS3Options,
  K3S_PATHS,
  renderAuditPolicy,
  renderK3sConfig,
  renderPodSecurityConfig,
} from "./k3s-config";
import {
  renderInstallScript,
  renderReadinessScript,
  renderWriteConfigScript,
  rewriteKubeconfig,
} from "./scripts";

/** One machine of the cluster. */
export interface ClusterNodeArgs {
  /** Node name and hostname. */
  readonly name: string;
  readonly role: "server" | "agent";
  /** Public IPv4: SSH target and `node-external-ip`. */
  readonly publicIp: pulumi.Input<string>;
  /** Private address, when the node is on the private network. */
  readonly privateIp?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: readonly string[];
  /** VLAN interface to configure during preparation (dedicated servers joined by a vSwitch). */
  readonly vswitch?: VSwitchInterface;
  /** Resources that must exist first (the server, its firewall). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Arguments of {@link Cluster}. */
export interface ClusterArgs {
  /** Nodes; the first `server` initializes the cluster. */
  readonly nodes: readonly ClusterNodeArgs[];
  /** k3s release, e.g. `v1.34.11+k3s1`. */
  readonly version: string;
  /** Private key for root SSH (secret). */
  readonly sshPrivateKey: pulumi.Input<string>;
  /** @default "root" */
  readonly sshUser?: string;
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  /** Extra API certificate names. @default [] */
  readonly tlsSans?: readonly string[];
  readonly etcdSnapshots: { readonly schedule: string; readonly retention: number };
  /** etcd snapshots to R2, when credentials exist. */
  readonly etcdS3?: pulumi.Input<EtcdS3Options>;
  /** Namespaces exempt from the default `restricted` PodSecurity level. */
  readonly podSecurityExemptions: readonly string[];
  /** Name of the kubeconfig context. */
  readonly contextName: string;
  /** How long to wait for the API to become ready. @default 600 */
  readonly readinessTimeoutSeconds?: number;
}

/** Problems with the arguments (empty when valid). */
export function validateClusterArgs(args: ClusterArgs): string[] {
  const problems: string[] = [];
  if (args.nodes.length === 0) problems.push("nodes: at least one node is needed");
  if (!args.nodes.some((n) => n.role === "server"))
    problems.push('nodes: at least one node needs role "server"');
  const names = args.nodes.map((n) => n.name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    problems.push(`nodes: node name ${dup} is used more than once`);
  }
  if (args.nodes.length > 1 && args.nodes.some((n) => !n.privateIp)) {
    problems.push(
      "nodes: every node of a multi-node cluster needs a privateIp (nodes talk over the private network)",
    );
  }
  return problems;
}

/** A running k3s cluster and the provider to deploy into it. */
export class Cluster extends pulumi.ComponentResource {
  /** Admin kubeconfig pointing at the first server's public address (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** `https://<first server>:6443`. */
  public readonly apiEndpoint: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  /** The last bootstrap step of every node, for resources that need the whole cluster. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:k3s:Cluster", name, {}, opts);
    const problems = validateClusterArgs(args);
    if (problems.length > 0) throw new Error(`enclii:k3s:Cluster ${name}: ${problems.join("; ")}`);

    const timeout = args.readinessTimeoutSeconds ?? 600;
    const first = args.nodes.find((n) => n.role === "server") as ClusterNodeArgs;
    const ordered = [first, ...args.nodes.filter((n) => n !== first)];
    const token = new random.RandomPassword(
      `${name}-token`,
      { length: 48, special: false },
      { parent: this },
    );
    const podSecurity = renderPodSecurityConfig(args.podSecurityExemptions);
    const auditPolicy = renderAuditPolicy();
    const joinUrl = pulumi.output(first.privateIp ?? first.publicIp).apply((ip) => `https://${ip}:6443`);

    this.ready = [];
    let firstReady: command.remote.Command | undefined;
    for (const node of ordered) {
      const connection: command.types.input.remote.ConnectionArgs = {
        host: node.publicIp,
        user: args.sshUser ?? "root",
        privateKey: args.sshPrivateKey,
        // New servers take a while to accept SSH.
        dialErrorLimit: 60,
        perDialTimeout: 10,
      };
      const nodeOpts = (dependsOn: pulumi.Input<pulumi.Resource>[]) => ({ parent: this, dependsOn });
      const prep = new command.remote.Command(
        `${name}-${node.name}-prep`,
        {
          connection,
          create: "bash -s",
          stdin: renderNodePrepScript({ hostname: node.name, vswitch: node.vswitch }),
        },
        nodeOpts(node.dependsOn ?? []),
      );
      const isFirst = node === first;
      const stdin = pulumi
        .all([token.result, args.etcdS3, joinUrl, node.publicIp])
        .apply(([tokenValue, etcdS3, url, publicIp]) =>
          renderWriteConfigScript({
            role: node.role,
            podSecurityConfig: podSecurity,
            auditPolicy,
            config: renderK3sConfig({
              role: node.role,
              clusterInit: isFirst,
              serverUrl: isFirst ? undefined : url,
              token: tokenValue,
              nodeName: node.name,
              // Without a private network the node talks on its public address.
              nodeIp: node.privateIp ?? publicIp,
              nodeExternalIp: publicIp,
              tlsSans: args.tlsSans,
              clusterCidr: args.clusterCidr,
              serviceCidr: args.serviceCidr,
              nodeLabels: node.labels,
              nodeTaints: node.taints,
              etcdSnapshots: node.role === "server" ? args.etcdSnapshots : undefined,
              etcdS3: node.role === "server" ? etcdS3 : undefined,
            }),
          }),
        );
      const writeConfig = new command.remote.Command(
        `${name}-${node.name}-config`,
        { connection, create: "bash -s", stdin: pulumi.secret(stdin) },
        { ...nodeOpts([prep]), additionalSecretOutputs: ["stdin"] },
      );
      const install = new command.remote.Command(
        `${name}-${node.name}-install`,
        {
          connection,
          create: "bash -s",
          stdin: renderInstallScript({ version: args.version, role: node.role }),
        },
        // Joining nodes wait until the first server answers.
        nodeOpts(isFirst ? [writeConfig] : [writeConfig, firstReady as command.remote.Command]),
      );
      if (isFirst) {
        firstReady = new command.remote.Command(
          `${name}-${node.name}-ready`,
          {
            connection,
            create: "bash -s",
            stdin: renderReadinessScript({ nodeName: node.name, timeoutSeconds: timeout }),
          },
          nodeOpts([install]),
        );
        this.ready.push(firstReady);
      } else {
        this.ready.push(install);
      }
    }

    const firstConnection = {
      host: first.publicIp,
      user: args.sshUser ?? "root",
      privateKey: args.sshPrivateKey,
    };
    const read = new command.remote.Command(
      `${name}-kubeconfig`,
      { connection: firstConnection, create: `cat ${K3S_PATHS.kubeconfig}`, logging: "none" },
      {
        parent: this,
        dependsOn: [firstReady as command.remote.Command],
        additionalSecretOutputs: ["stdout"],
      },
    );
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([read.stdout, first.publicIp])
        .apply(([text, ip]) => rewriteKubeconfig(text, ip, args.contextName)),
    );
    this.apiEndpoint = pulumi.output(first.publicIp).apply((ip) => `https://${ip}:6443`);
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: this.ready },
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig, apiEndpoint: this.apiEndpoint });
  }
}
