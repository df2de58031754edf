/**
 * `enclii:k3s:Cluster`: bootstraps k3s on prepared machines over SSH (`@pulumi/command`):
 * node preparation, the k3s configuration (in clear) and its secrets (token, service
 * environment), a pinned install, a bounded readiness wait, and a ServiceAccount-token kubeconfig
 * turned into the `k8s.Provider` every Kubernetes resource uses. A changed configuration restarts
 * k3s and re-runs the readiness wait (`triggers`); the k3s version itself is upgraded by the
 * system-upgrade-controller Plans (see `UpgradeController`), never reinstalled.
 *
 * pulumi-command 1.2.1 (provider/pkg/provider/common/inputs.go): `triggers` is
 * `replaceOnChanges`, so a changed trigger replaces the command and runs its `create`; any other
 * changed input (stdin, connection) is an update and runs `update`, or `create` when there is none
 * (provider/pkg/provider/remote/commandController.go, Update).
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderNodePrepScript, type VSwitchInterface } from "../hetzner/node-prep";
import {
  type EtcdS3Options,
  renderAuditPolicy,
  renderEventRateLimitConfig,
  renderK3sConfig,
  renderK3sServiceEnv,
  renderPodSecurityConfig,
} from "./k3s-config";
import {
  deployerKubeconfig,
  INSTALL_COMMANDS,
  renderDeployerTokenScript,
  renderInstallScript,
  renderReadinessScript,
  renderWriteConfigScript,
  renderWriteSecretsScript,
} from "./scripts";

/** etcd snapshots to S3 (R2): the settings go into config.yaml, the keys into the env file. */
export type ClusterEtcdS3 = Omit<EtcdS3Options, "accessKey" | "secretKey"> & {
  readonly accessKey: pulumi.Input<string>;
  readonly secretKey: pulumi.Input<string>;
};

/** One machine of the cluster. */
export interface ClusterNodeArgs {
  /** Node name and hostname. */
  readonly name: string;
  readonly role: "server" | "agent";
  /** Public IPv4: `node-external-ip`, and the SSH target when `sshHost` is not set. */
  readonly publicIp: pulumi.Input<string>;
  /**
   * Stable DNS name SSH connects to (`<node>.<domain>`): it resolves to the node from an admin
   * workstation and to a `cloudflared access` loopback in CI, so the connection, an input of
   * every command, is the same from both. @default publicIp
   */
  readonly sshHost?: string;
  /** Private address, when the node is on the private network. */
  readonly privateIp?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: readonly string[];
  /** VLAN interface to configure during preparation (dedicated servers joined by a vSwitch). */
  readonly vswitch?: VSwitchInterface;
  /**
   * MTU the private interface must hold (hcloud nodes coupled to a vSwitch: 1400).
   * @default - the interface's own
   */
  readonly privateMtu?: number;
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
  /**
   * Stable DNS name of the API (`kube.<domain>`): in tls-san and the kubeconfig's `server`, so
   * the Kubernetes provider's cluster never changes with a node address.
   */
  readonly apiHostname: string;
  readonly etcdSnapshots: { readonly schedule: string; readonly retention: number };
  /** etcd snapshots to R2, when credentials exist: settings in clear, keys secret. */
  readonly etcdS3?: ClusterEtcdS3;
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
  /** Admin kubeconfig: the deploy ServiceAccount's token against `apiHostname` (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** `https://<apiHostname>:6443`. */
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
    const eventRateLimit = renderEventRateLimitConfig();
    const auditPolicy = renderAuditPolicy();
    const tlsSans = [args.apiHostname, ...(args.tlsSans ?? [])];
    const joinUrl = pulumi.output(first.privateIp ?? first.publicIp).apply((ip) => `https://${ip}:6443`);

    this.ready = [];
    let firstReady: command.remote.Command | undefined;
    let firstConnection: command.types.input.remote.ConnectionArgs | undefined;
    const etcdS3Settings = args.etcdS3
      ? {
          endpoint: args.etcdS3.endpoint,
          bucket: args.etcdS3.bucket,
          folder: args.etcdS3.folder,
          region: args.etcdS3.region,
        }
      : undefined;
    for (const node of ordered) {
      const connection: command.types.input.remote.ConnectionArgs = {
        host: node.sshHost ?? node.publicIp,
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
          stdin: renderNodePrepScript({
            hostname: node.name,
            vswitch: node.vswitch,
            privateNetwork: node.privateIp
              ? { address: node.privateIp, ...(node.privateMtu ? { mtu: node.privateMtu } : {}) }
              : undefined,
          }),
        },
        nodeOpts(node.dependsOn ?? []),
      );
      const isFirst = node === first;
      // config.yaml and its companions hold no secret: the plan shows every k3s flag in clear.
      const configScript = pulumi.all([joinUrl, node.publicIp]).apply(([url, publicIp]) =>
        renderWriteConfigScript({
          role: node.role,
          podSecurityConfig: podSecurity,
          eventRateLimitConfig: eventRateLimit,
          auditPolicy,
          config: renderK3sConfig({
            role: node.role,
            clusterInit: isFirst,
            serverUrl: isFirst ? undefined : url,
            nodeName: node.name,
            // Without a private network the node talks on its public address.
            nodeIp: node.privateIp ?? publicIp,
            nodeExternalIp: publicIp,
            tlsSans,
            clusterCidr: args.clusterCidr,
            serviceCidr: args.serviceCidr,
            nodeLabels: node.labels,
            nodeTaints: node.taints,
            etcdSnapshots: node.role === "server" ? args.etcdSnapshots : undefined,
            etcdS3: node.role === "server" ? etcdS3Settings : undefined,
          }),
        }),
      );
      const writeConfig = new command.remote.Command(
        `${name}-${node.name}-config`,
        { connection, create: "bash -s", stdin: configScript },
        nodeOpts([prep]),
      );
      const s3 = node.role === "server" ? args.etcdS3 : undefined;
      const secretsScript = pulumi.secret(
        pulumi
          .all([token.result, s3?.accessKey, s3?.secretKey])
          .apply(([tokenValue, accessKey, secretKey]) => {
            const secrets = {
              nodeName: node.name,
              token: tokenValue,
              ...(accessKey && secretKey ? { etcdS3: { accessKey, secretKey } } : {}),
            };
            return renderWriteSecretsScript({
              role: node.role,
              token: tokenValue,
              serviceEnv: renderK3sServiceEnv(secrets),
            });
          }),
      );
      const writeSecrets = new command.remote.Command(
        `${name}-${node.name}-secrets`,
        { connection, create: "bash -s", stdin: secretsScript, logging: "none" },
        { ...nodeOpts([prep]), additionalSecretOutputs: ["stdin"] },
      );
      // A changed configuration or secret replaces these two commands (triggers are
      // replaceOnChanges): k3s restarts, then the readiness wait runs again, so nothing is applied
      // to an API server that is restarting. The secret part stays a secret in state and plan.
      const triggers = [configScript, secretsScript];
      const install = new command.remote.Command(
        `${name}-${node.name}-install`,
        {
          connection,
          ...INSTALL_COMMANDS,
          stdin: renderInstallScript({ version: args.version, role: node.role }),
          triggers,
        },
        // Joining nodes wait until the first server answers.
        nodeOpts(
          isFirst
            ? [writeConfig, writeSecrets]
            : [writeConfig, writeSecrets, firstReady as command.remote.Command],
        ),
      );
      if (isFirst) {
        firstReady = new command.remote.Command(
          `${name}-${node.name}-ready`,
          {
            connection,
            create: "bash -s",
            stdin: renderReadinessScript({ nodeName: node.name, timeoutSeconds: timeout }),
            triggers,
          },
          nodeOpts([install]),
        );
        firstConnection = connection;
        this.ready.push(firstReady);
      } else {
        this.ready.push(install);
      }
    }

    // A ServiceAccount token, not k3s.yaml's client certificate (365 days, renewed only on the
    // node): the kubeconfig never goes stale. The command's inputs never change, so its output,
    // and the provider's kubeconfig, stay known in every preview.
    const deployToken = new command.remote.Command(
      `${name}-kubeconfig`,
      {
        connection: firstConnection as command.types.input.remote.ConnectionArgs,
        create: "bash -s",
        stdin: renderDeployerTokenScript(),
        logging: "none",
      },
      {
        parent: this,
        dependsOn: [firstReady as command.remote.Command],
        additionalSecretOutputs: ["stdout"],
      },
    );
    this.kubeconfig = pulumi.secret(
      deployToken.stdout.apply((tokenJson) =>
        deployerKubeconfig({ tokenJson, apiHostname: args.apiHostname, contextName: args.contextName }),
      ),
    );
    this.apiEndpoint = pulumi.output(`https://${args.apiHostname}:6443`);
    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        kubeconfig: this.kubeconfig,
        enableServerSideApply: true,
        // DiffConfig replaces the provider only when this changes (provider.go): a new kubeconfig
        // for the same cluster (token rotation, a new CA bundle) is an update.
        clusterIdentifier: args.contextName,
      },
      { parent: this, dependsOn: this.ready },
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig, apiEndpoint: this.apiEndpoint });
  }
}
