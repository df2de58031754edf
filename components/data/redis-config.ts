/**
 * `redis.conf` and `sentinel.conf` rendered from typed options. Pure: the same functions feed the
 * Kubernetes Secrets and the tests that run real redis-server/redis-sentinel processes.
 */

/** Options of one Redis data node. */
export interface RedisNodeOptions {
  /** @default 6379 */
  readonly port?: number;
  /** Addresses to listen on. @default "0.0.0.0 -::*" */
  readonly bind?: string;
  /** Password for clients and replicas (`requirepass` and `masterauth`). */
  readonly password: string;
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
  /** The data nodes' password (`sentinel auth-pass`), also required from Sentinel's clients. */
  readonly password: string;
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

/** Problems with a password (empty when usable in both files). */
export function validatePassword(password: string): string[] {
  return password.length < 16 ? ["password: at least 16 characters"] : [];
}

/** redis.conf of one data node: authenticated, AOF on, memory bounded. */
export function renderRedisConf(o: RedisNodeOptions): string {
  const problems = validatePassword(o.password);
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
    `requirepass ${q(o.password)}`,
    `masterauth ${q(o.password)}`,
    `maxmemory ${redisMemory(o.maxMemory)}`,
    `maxmemory-policy ${o.maxMemoryPolicy}`,
  ];
  if (o.announceHostname) lines.push(`replica-announce-ip ${o.announceHostname}`);
  if (o.replicaOf) lines.push(`replicaof ${o.replicaOf.host} ${o.replicaOf.port}`);
  return `${lines.join("\n")}\n`;
}

/** sentinel.conf of one Sentinel. Sentinel rewrites this file, so it must be a writable copy. */
export function renderSentinelConf(o: SentinelOptions): string {
  const problems = validatePassword(o.password);
  if (o.quorum < 1) problems.push("quorum: at least 1");
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
    `sentinel auth-pass ${name} ${q(o.password)}`,
    `sentinel down-after-milliseconds ${name} ${o.downAfterMilliseconds ?? 5000}`,
    `sentinel failover-timeout ${name} ${o.failoverTimeoutMilliseconds ?? 60000}`,
    `sentinel parallel-syncs ${name} 1`,
    `requirepass ${q(o.password)}`,
  );
  return `${lines.join("\n")}\n`;
}
