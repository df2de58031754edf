/**
 * `redis.conf` and `sentinel.conf` rendered from typed options. Pure: the same functions feed the
 * Kubernetes Secrets and the tests that run real redis-server/redis-sentinel processes. Clients
 * authenticate as ACL users (./redis-acl.ts), never with one shared `requirepass`; the only clear
 * passwords in the files are the ones Redis must send itself (`masterauth`, `sentinel auth-pass`,
 * `sentinel sentinel-pass`), and the files live in a Secret.
 */
import { type RedisUser, renderUserLines, validateUsers } from "./redis-acl";

/** A user name and password Redis or Sentinel sends to another node. */
export interface RedisCredentials {
  readonly user: string;
  readonly password: string;
}

/** Options of one Redis data node. */
export interface RedisNodeOptions {
  /** @default 6379 */
  readonly port?: number;
  /** Addresses to listen on. @default "0.0.0.0 -::*" */
  readonly bind?: string;
  /** ACL users of this node (consumers, replication, Sentinel, monitor); `default` is off unless listed. */
  readonly users: readonly RedisUser[];
  /**
   * How this node authenticates to its master when it is (or becomes) a replica
   * (`masteruser`/`masterauth`); set on every node of a replicated set.
   */
  readonly replication?: RedisCredentials;
  /** Working directory (AOF, RDB). @default "/data" */
  readonly dir?: string;
  /** Kubernetes memory quantity (`512Mi`) or Redis size (`512mb`). */
  readonly maxMemory: string;
  readonly maxMemoryPolicy: string;
  /** Replicate from this master (sentinel mode, non-initial nodes). */
  readonly replicaOf?: { readonly host: string; readonly port: number };
  /** Name this node announces to Sentinel and replicas (stable pod DNS name). */
  readonly announceHostname?: string;
}

/** Options of one Sentinel. */
export interface SentinelOptions {
  /** @default 26379 */
  readonly port?: number;
  /** @default "0.0.0.0 -::*" */
  readonly bind?: string;
  /** @default "/data" */
  readonly dir?: string;
  /** Name of the monitored master set. */
  readonly masterName: string;
  readonly masterHost: string;
  readonly masterPort: number;
  /** Sentinels that must agree the master is down. */
  readonly quorum: number;
  /** How Sentinel authenticates to the data nodes (`sentinel auth-user`/`auth-pass`). */
  readonly auth: RedisCredentials;
  /** How Sentinels authenticate to each other (`sentinel sentinel-user`/`sentinel-pass`). */
  readonly peer: RedisCredentials;
  /** ACL users of the Sentinel itself (the peer user, consumers' discovery users); `default` is off unless listed. */
  readonly users: readonly RedisUser[];
  /** @default 5000 */
  readonly downAfterMilliseconds?: number;
  /** @default 60000 */
  readonly failoverTimeoutMilliseconds?: number;
  /** Name this Sentinel announces (stable pod DNS name). */
  readonly announceHostname?: string;
}

/** Converts a Kubernetes quantity (`512Mi`, `1Gi`) to Redis units (`512mb`, `1gb`). */
export function redisMemory(quantity: string): string {
  const m = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!m) {
    if (/^\d+(kb|mb|gb)$/.test(quantity)) return quantity;
    throw new Error(`maxMemory ${quantity} must be a quantity such as 512Mi or 1Gi`);
  }
  return `${m[1]}${{ Ki: "kb", Mi: "mb", Gi: "gb" }[m[2] as "Ki" | "Mi" | "Gi"]}`;
}

/** Quotes a value for a Redis config file. */
function q(value: string): string {
  if (/["\s\\]/.test(value)) return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  return value;
}

/** Problems with credentials a node sends (empty when usable). */
export function validateCredentials(c: RedisCredentials, field: string): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9_-]*$/.test(c.user)) problems.push(`${field}.user: ${c.user} is not an ACL user name`);
  if (c.password.length < 16) problems.push(`${field}.password: at least 16 characters`);
  return problems;
}

/** redis.conf of one data node: ACL users, AOF on, memory bounded. */
export function renderRedisConf(o: RedisNodeOptions): string {
  const problems = o.replication ? validateCredentials(o.replication, "replication") : [];
  if (o.users.length === 0) problems.push("users: at least one user, or no client can connect");
  problems.push(...validateUsers(o.users, "users"));
  if (problems.length > 0) throw new Error(`redis.conf: ${problems.join("; ")}`);
  const lines = [
    "# Rendered by enclii-infra.",
    `port ${o.port ?? 6379}`,
    `bind ${o.bind ?? "0.0.0.0 -::*"}`,
    "protected-mode yes",
    `dir ${o.dir ?? "/data"}`,
    "tcp-keepalive 60",
    // Durability: AOF every second plus RDB snapshots for fast restarts.
    "appendonly yes",
    "appendfsync everysec",
    "save 900 1 300 10 60 10000",
    `maxmemory ${redisMemory(o.maxMemory)}`,
    `maxmemory-policy ${o.maxMemoryPolicy}`,
    ...renderUserLines(o.users, "users"),
  ];
  if (o.replication)
    lines.push(`masteruser ${o.replication.user}`, `masterauth ${q(o.replication.password)}`);
  if (o.announceHostname) lines.push(`replica-announce-ip ${o.announceHostname}`);
  if (o.replicaOf) lines.push(`replicaof ${o.replicaOf.host} ${o.replicaOf.port}`);
  return `${lines.join("\n")}\n`;
}

/** sentinel.conf of one Sentinel. Sentinel rewrites this file, so it must be a writable copy. */
export function renderSentinelConf(o: SentinelOptions): string {
  const problems = [...validateCredentials(o.auth, "auth"), ...validateCredentials(o.peer, "peer")];
  if (o.quorum < 1) problems.push("quorum: at least 1");
  if (!o.users.some((u) => u.name === o.peer.user)) {
    problems.push(
      `users: the peer user ${o.peer.user} must be one of the Sentinel's users, or the Sentinels cannot talk`,
    );
  }
  problems.push(...validateUsers(o.users, "users"));
  if (problems.length > 0) throw new Error(`sentinel.conf: ${problems.join("; ")}`);
  const name = o.masterName;
  const lines = [
    "# Rendered by enclii-infra.",
    `port ${o.port ?? 26379}`,
    `bind ${o.bind ?? "0.0.0.0 -::*"}`,
    `dir ${o.dir ?? "/data"}`,
    // Hostnames must resolve before `monitor` names the master by its pod DNS name.
    "sentinel resolve-hostnames yes",
    "sentinel announce-hostnames yes",
  ];
  if (o.announceHostname) lines.push(`sentinel announce-ip ${o.announceHostname}`);
  lines.push(
    `sentinel monitor ${name} ${o.masterHost} ${o.masterPort} ${o.quorum}`,
    // Sentinel -> data nodes as the Sentinel ACL user (7.0.15 src/sentinel.c
    // sentinelSendAuthIfNeeded: AUTH <auth-user> <auth-pass> for masters and replicas).
    `sentinel auth-user ${name} ${o.auth.user}`,
    `sentinel auth-pass ${name} ${q(o.auth.password)}`,
    `sentinel down-after-milliseconds ${name} ${o.downAfterMilliseconds ?? 5000}`,
    `sentinel failover-timeout ${name} ${o.failoverTimeoutMilliseconds ?? 60000}`,
    `sentinel parallel-syncs ${name} 1`,
    // Sentinel -> Sentinel (same function: sentinel-user/sentinel-pass for SRI_SENTINEL links;
    // without them it would send requirepass, which no longer exists).
    `sentinel sentinel-user ${o.peer.user}`,
    `sentinel sentinel-pass ${q(o.peer.password)}`,
    ...renderUserLines(o.users, "users"),
  );
  return `${lines.join("\n")}\n`;
}
