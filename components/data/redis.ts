/**
 * `enclii:data:Redis`: Redis on Longhorn, `standalone` (one pod) or `sentinel` (3 data pods and
 * 3 Sentinels, quorum 2; needs 3+ nodes). The password comes from `@pulumi/random` and is kept in
 * Secrets; each consumer gets its own logical database and a client URL as a secret output.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createObjects } from "../shared/objects";
import { renderRedisConf, renderSentinelConf } from "./redis-config";
import { podHost, REDIS, renderRedisManifests } from "./redis-manifests";

/** Logical database of each consumer: their keys never collide. */
export const REDIS_DATABASES = { enclii: 0, janua: 1 } as const;
/** A Redis consumer. */
export type RedisConsumer = keyof typeof REDIS_DATABASES;

/** How one consumer connects. */
export interface RedisConnection {
  /** Client Service (standalone) or the Sentinel Service (sentinel). */
  readonly host: string;
  readonly port: number;
  readonly database: number;
  /** `<namespace>/<name>` of the Secret in the cluster that holds the password (key `password`). */
  readonly credentialsSecret: string;
  readonly password: pulumi.Output<string>;
  /** `redis://` (standalone) or `redis+sentinel://host:26379,.../<master>/<db>` (sentinel), secret. */
  readonly url: pulumi.Output<string>;
  /** Set in sentinel mode: the Sentinels and the master set name. */
  readonly sentinel?: { readonly hosts: string[]; readonly port: number; readonly masterName: string };
}

/** Arguments of {@link Redis}. */
export interface RedisArgs {
  readonly provider: k8s.Provider;
  /** Namespace name (the `data` namespace). */
  readonly namespace: pulumi.Input<string>;
  /** The namespace as a plain name, for DNS names. @default "data" */
  readonly namespaceName?: string;
  readonly mode: "standalone" | "sentinel";
  /** Number of nodes; sentinel needs 3 or more. */
  readonly nodeCount: number;
  readonly storageSize: string;
  readonly maxMemory: string;
  readonly maxMemoryPolicy: string;
  readonly resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  /** Run redis_exporter beside each data pod (monitoring enabled). @default false */
  readonly exporter?: boolean;
  /** Wait for these (the Longhorn StorageClass). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Keep the StatefulSets (and their PVCs) from deletion (production). @default false */
  readonly protect?: boolean;
}

/**
 * How long the provider may wait for a Redis StatefulSet. Its built-in awaiter (pulumi-kubernetes
 * provider/pkg/await/statefulset.go) holds the create until `.status.readyReplicas` (and
 * `currentReplicas`) reach `.spec.replicas`, i.e. every pod passed its readiness probe; the default
 * bound is 10 minutes (provider/pkg/await/await.go). On a fresh node each pod first waits for
 * Longhorn to provision and attach its volume (engine images pulled on first use) and for the
 * Redis image; with `podManagementPolicy: Parallel` the pods do this together, so 20 minutes
 * leaves room for a slow registry without hiding a pod that never becomes ready for long.
 */
export const REDIS_TIMEOUTS = { create: "20m", update: "20m" } as const;

/** Redis and one connection per consumer. */
export class Redis extends pulumi.ComponentResource {
  public readonly connections: Record<RedisConsumer, RedisConnection>;
  /** The StatefulSets (data pods, and Sentinels in sentinel mode): created once every pod is ready. */
  public readonly statefulSets: pulumi.Resource[];

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:data:Redis", name, {}, opts);
    if (args.mode === "sentinel" && args.nodeCount < 3) {
      throw new Error(
        `enclii:data:Redis ${name}: sentinel mode needs 3 or more nodes (got ${args.nodeCount}): on fewer nodes a quorum of 2 cannot survive a node`,
      );
    }
    const ns = args.namespaceName ?? "data";
    const base = { parent: this, provider: args.provider };
    const password = new random.RandomPassword(
      `${name}-password`,
      { length: 40, special: false },
      { parent: this },
    );
    const configs = password.result.apply((pw) => {
      const files: Record<string, string> = {
        "redis.conf": renderRedisConf({
          password: pw,
          maxMemory: args.maxMemory,
          maxMemoryPolicy: args.maxMemoryPolicy,
        }),
      };
      if (args.mode === "sentinel") {
        // @MASTER@ and @SELF@ are filled in by the Sentinel's init container (the current master, its own DNS name).
        files["sentinel.conf"] = renderSentinelConf({
          masterName: REDIS.masterName,
          masterHost: "@MASTER@",
          masterPort: REDIS.port,
          quorum: 2,
          password: pw,
          downAfterMilliseconds: 5000,
          failoverTimeoutMilliseconds: 60_000,
          announceHostname: "@SELF@",
        });
      }
      return files;
    });
    const secretMeta = (secretName: string) => ({
      name: secretName,
      namespace: args.namespace,
      labels: { "app.kubernetes.io/name": REDIS.name, "app.kubernetes.io/managed-by": "pulumi" },
    });
    const auth = new k8s.core.v1.Secret(
      `${name}-auth`,
      { metadata: secretMeta(REDIS.secret), type: "Opaque", stringData: { password: password.result } },
      base,
    );
    const config = new k8s.core.v1.Secret(
      `${name}-config`,
      { metadata: secretMeta(REDIS.config), type: "Opaque", stringData: pulumi.secret(configs) },
      base,
    );
    const manifests = renderRedisManifests({
      namespace: ns,
      mode: args.mode,
      storageSize: args.storageSize,
      resources: args.resources,
      exporter: args.exporter ?? false,
    });
    const workloads = manifests.filter((m) => m.kind === "StatefulSet");
    this.statefulSets = createObjects(
      name,
      workloads,
      {
        ...base,
        dependsOn: [auth, config, ...(args.dependsOn ?? [])],
        protect: args.protect ?? false,
        customTimeouts: REDIS_TIMEOUTS,
      },
      args.namespace,
    );
    createObjects(
      name,
      manifests.filter((m) => m.kind !== "StatefulSet"),
      base,
      args.namespace,
    );

    const sentinelHosts = [0, 1, 2].map((i) => podHost(REDIS.sentinel, i, ns));
    const connection = (db: number): RedisConnection => {
      if (args.mode === "standalone") {
        const host = `${REDIS.name}.${ns}.svc.cluster.local`;
        return {
          host,
          port: REDIS.port,
          database: db,
          credentialsSecret: `${ns}/${REDIS.secret}`,
          password: pulumi.secret(password.result),
          url: pulumi.secret(pulumi.interpolate`redis://:${password.result}@${host}:${REDIS.port}/${db}`),
        };
      }
      const host = `${REDIS.sentinel}.${ns}.svc.cluster.local`;
      const hosts = sentinelHosts.map((h) => `${h}:${REDIS.sentinelPort}`).join(",");
      return {
        host,
        port: REDIS.sentinelPort,
        database: db,
        credentialsSecret: `${ns}/${REDIS.secret}`,
        password: pulumi.secret(password.result),
        url: pulumi.secret(
          pulumi.interpolate`redis+sentinel://:${password.result}@${hosts}/${REDIS.masterName}/${db}`,
        ),
        sentinel: { hosts: sentinelHosts, port: REDIS.sentinelPort, masterName: REDIS.masterName },
      };
    };
    this.connections = {
      enclii: connection(REDIS_DATABASES.enclii),
      janua: connection(REDIS_DATABASES.janua),
    };
    this.registerOutputs({ connections: this.connections });
  }
}
