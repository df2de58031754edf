/**
 * `enclii:data:Redis`: Redis on Longhorn, `standalone` (one pod) or `sentinel` (3 data pods and
 * 3 Sentinels, quorum 2; needs 3+ nodes). Every consumer is its own ACL user with its own password
 * (`@pulumi/random`, in its own Secret) and no `@dangerous` commands beyond what it issues
 * (./redis-acl.ts); replicas, Sentinels and the probes/exporter have their own users too. Each
 * consumer gets its own logical database and a client URL naming its user, as a secret output.
 *
 * What ACLs cannot do here: confine a user to its database (SELECT is not restricted by key
 * patterns) or to its keys (neither Janua nor switchyard prefixes them). On the shared Redis the
 * users keep separate credentials and commands, not separate data; a dedicated Janua has its own
 * Redis.
 */

import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createObjects, fillPlaceholders } from "../shared/objects";
import {
  CONSUMER_ACCESS,
  dataNodeUsers,
  REDIS_SYSTEM_USERS,
  type RedisPasswords,
  sentinelUsers,
} from "./redis-acl";
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
  /** ACL user it authenticates as (`default` for a client that cannot send a user name). */
  readonly username: string;
  /** `<namespace>/<name>` of this consumer's own Secret in the cluster (keys `username`, `password`). */
  readonly credentialsSecret: string;
  readonly password: pulumi.Output<string>;
  /** `redis://<user>:<pw>@...` (standalone) or `redis+sentinel://<user>:<pw>@host:26379,.../<master>/<db>` (sentinel), secret. */
  readonly url: pulumi.Output<string>;
  /** Set in sentinel mode: the Sentinels and the master set name. */
  readonly sentinel?: { readonly hosts: string[]; readonly port: number; readonly masterName: string };
}

/** Arguments of {@link Redis}. */
export interface RedisArgs<C extends RedisConsumer = RedisConsumer> {
  readonly provider: k8s.Provider;
  /** Applications using this Redis, each its own ACL user and password. @default ["enclii", "janua"] */
  readonly consumers?: readonly C[];
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
export class Redis<C extends RedisConsumer = RedisConsumer> extends pulumi.ComponentResource {
  public readonly connections: Record<C, RedisConnection>;
  /** The StatefulSets (data pods, and Sentinels in sentinel mode): created once every pod is ready. */
  public readonly statefulSets: pulumi.Resource[];

  constructor(name: string, args: RedisArgs<C>, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:data:Redis", name, {}, opts);
    const consumers = args.consumers ?? (Object.keys(REDIS_DATABASES) as C[]);
    const problems: string[] = [];
    if (args.mode === "sentinel" && args.nodeCount < 3) {
      problems.push(
        `sentinel mode needs 3 or more nodes (got ${args.nodeCount}): on fewer nodes a quorum of 2 cannot survive a node`,
      );
    }
    if (consumers.length === 0)
      problems.push("consumers: at least one application, or nobody can use this Redis");
    for (const c of consumers) {
      if (!(c in REDIS_DATABASES) || !CONSUMER_ACCESS[c])
        problems.push(
          `consumers: unknown consumer "${c}" (known: ${Object.keys(REDIS_DATABASES).join(", ")})`,
        );
    }
    if (problems.length > 0) throw new Error(`enclii:data:Redis ${name}: ${problems.join("; ")}`);
    const ns = args.namespaceName ?? "data";
    const base = { parent: this, provider: args.provider };
    const randomPassword = (what: string) =>
      new random.RandomPassword(`${name}-${what}-password`, { length: 40, special: false }, { parent: this })
        .result;
    const consumerPasswords = Object.fromEntries(consumers.map((c) => [c, randomPassword(c)])) as Record<
      C,
      pulumi.Output<string>
    >;
    const system: Record<string, pulumi.Output<string>> = {
      replication: randomPassword(REDIS_SYSTEM_USERS.replication),
      monitor: randomPassword(REDIS_SYSTEM_USERS.monitor),
      ...(args.mode === "sentinel" ? { sentinel: randomPassword(REDIS_SYSTEM_USERS.sentinel) } : {}),
    };
    const configs = pulumi.all([pulumi.all(consumerPasswords), pulumi.all(system)]).apply(([cp, all]) => {
      const sp = { replication: all.replication ?? "", monitor: all.monitor ?? "", sentinel: all.sentinel };
      const passwords: RedisPasswords = { consumers: cp as Record<string, string>, ...sp };
      // Replicated nodes authenticate to their master as `replication`; a standalone node has none.
      const replication =
        args.mode === "sentinel"
          ? { user: REDIS_SYSTEM_USERS.replication, password: sp.replication }
          : undefined;
      const files: Record<string, string> = {
        "redis.conf": renderRedisConf({
          users: dataNodeUsers(passwords),
          replication,
          maxMemory: args.maxMemory,
          maxMemoryPolicy: args.maxMemoryPolicy,
        }),
      };
      if (args.mode === "sentinel" && sp.sentinel) {
        const sentinel = { user: REDIS_SYSTEM_USERS.sentinel, password: sp.sentinel };
        // @MASTER@ and @SELF@ are filled in by the Sentinel's init container (the current master, its own DNS name).
        files["sentinel.conf"] = renderSentinelConf({
          masterName: REDIS.masterName,
          masterHost: "@MASTER@",
          masterPort: REDIS.port,
          quorum: 2,
          auth: sentinel,
          peer: sentinel,
          users: sentinelUsers(passwords),
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
    // The system users' passwords, read by the pods (probes, exporter, init containers).
    const auth = new k8s.core.v1.Secret(
      `${name}-auth`,
      { metadata: secretMeta(REDIS.secret), type: "Opaque", stringData: system },
      base,
    );
    // Each consumer's credentials in a Secret of its own: rotating or reading one touches no other.
    for (const c of consumers) {
      new k8s.core.v1.Secret(
        `${name}-${c}-credentials`,
        {
          metadata: secretMeta(consumerSecretName(c)),
          type: "Opaque",
          stringData: { username: userOf(c), password: consumerPasswords[c] },
        },
        base,
      );
    }
    const config = new k8s.core.v1.Secret(
      `${name}-config`,
      { metadata: secretMeta(REDIS.config), type: "Opaque", stringData: pulumi.secret(configs) },
      base,
    );
    // A digest of the configs (which hold only password hashes and the system users' passwords):
    // SHA-256 does not reveal them, so it is shown in clear and the pods roll when it changes.
    const configVersion = pulumi.unsecret(
      configs.apply((files) => createHash("sha256").update(JSON.stringify(files)).digest("hex").slice(0, 16)),
    );
    const manifests = renderRedisManifests({
      namespace: ns,
      mode: args.mode,
      storageSize: args.storageSize,
      resources: args.resources,
      exporter: args.exporter ?? false,
      configVersion: CONFIG_VERSION,
    }).map((m) => fillPlaceholders(m, { [CONFIG_VERSION]: configVersion }) as Record<string, unknown>);
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
    const connection = (c: C): RedisConnection => {
      const db = REDIS_DATABASES[c];
      const username = userOf(c);
      const password = pulumi.secret(consumerPasswords[c]);
      const credentialsSecret = `${ns}/${consumerSecretName(c)}`;
      if (args.mode === "standalone") {
        const host = `${REDIS.name}.${ns}.svc.cluster.local`;
        return {
          host,
          port: REDIS.port,
          database: db,
          username,
          credentialsSecret,
          password,
          url: pulumi.secret(pulumi.interpolate`redis://${username}:${password}@${host}:${REDIS.port}/${db}`),
        };
      }
      const host = `${REDIS.sentinel}.${ns}.svc.cluster.local`;
      const hosts = sentinelHosts.map((h) => `${h}:${REDIS.sentinelPort}`).join(",");
      return {
        host,
        port: REDIS.sentinelPort,
        database: db,
        username,
        credentialsSecret,
        password,
        // The same user and password on the Sentinels (discovery only) and the data nodes.
        url: pulumi.secret(
          pulumi.interpolate`redis+sentinel://${username}:${password}@${hosts}/${REDIS.masterName}/${db}`,
        ),
        sentinel: { hosts: sentinelHosts, port: REDIS.sentinelPort, masterName: REDIS.masterName },
      };
    };
    this.connections = Object.fromEntries(consumers.map((c) => [c, connection(c)])) as Record<
      C,
      RedisConnection
    >;
    this.registerOutputs({ connections: this.connections });
  }
}

const CONFIG_VERSION = "@REDIS_CONFIG_VERSION@";

/** The ACL user a (validated) consumer authenticates as. */
function userOf(consumer: string): string {
  return (CONSUMER_ACCESS[consumer] as { user: string }).user;
}

/** Name of a consumer's credentials Secret (`redis-<consumer>`). */
export function consumerSecretName(consumer: string): string {
  return `${REDIS.name}-${consumer}`;
}
