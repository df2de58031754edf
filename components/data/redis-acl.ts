/**
 * Redis ACL users, rendered as `user` lines for redis.conf and sentinel.conf. Pure: passwords
 * come in clear and leave only as `#<sha256>` (the form redis.conf accepts, src/acl.c
 * ACLSetUser `#<hash>`: 64 lowercase hex digits), so the rendered files never hold a consumer's
 * password.
 *
 * `user` lines, not an `aclfile`: Redis refuses to start with both (7.0.15 src/acl.c
 * ACLLoadUsersAtStartup, "Configuring Redis with users defined in redis.conf and at the same
 * setting an ACL file path is invalid"), and the users are declared here, so `ACL SAVE` (which
 * needs an aclfile) is never wanted: a user changed at run time is gone at the next restart.
 * Sentinel's CONFIG REWRITE keeps `user` lines (7.0.15 src/config.c rewriteConfigUserOption).
 */
import { createHash } from "node:crypto";

/** Names of the users the platform itself uses (not consumers). */
export const REDIS_SYSTEM_USERS = {
  /** Replicas authenticate to the master with it (`masteruser`). */
  replication: "replication",
  /** Probes and redis_exporter. */
  monitor: "monitor",
  /** Sentinels: to the data nodes (`sentinel auth-user`) and to each other (`sentinel sentinel-user`). */
  sentinel: "sentinel",
} as const;

/**
 * What an application may do on a data node: every command except `@dangerous` (FLUSHALL,
 * FLUSHDB, CONFIG, DEBUG, KEYS, INFO, CLIENT KILL/LIST, MONITOR, SHUTDOWN, REPLICAOF, SORT, ...;
 * `ACL CAT dangerous` on 7.0.15, and every admin-flagged command is also dangerous:
 * src/server.c setImplicitACLCategories), all keys (neither Janua nor switchyard prefixes its
 * keys, so no narrower pattern fits), no Pub/Sub channel unless granted. `extra` re-allows what
 * the application issues from `@dangerous`.
 */
export function applicationRules(extra: {
  readonly commands: readonly string[];
  readonly channels: boolean;
}) {
  return [
    "~*",
    extra.channels ? "&*" : "resetchannels",
    "+@all",
    "-@dangerous",
    // Not in @dangerous, yet server-wide: another consumer's scripts and functions.
    "-script|flush",
    "-function",
    ...extra.commands.map((c) => `+${c}`),
  ];
}

/**
 * Replicas on the master: the documented minimum ("ACL rules for Sentinel and Replicas",
 * redis.io docs/operate/oss_and_stack/management/security/acl: `+psync +replconf +ping`).
 */
export const REPLICATION_RULES = ["resetchannels", "-@all", "+psync", "+sync", "+replconf", "+ping"] as const;

/**
 * Sentinels on the data nodes: the documented minimum (same page: `allchannels +multi +slaveof
 * +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill
 * +script|kill`). Sentinel reconfigures a promoted replica in MULTI/SLAVEOF/CONFIG REWRITE/CLIENT
 * KILL/EXEC and talks to its peers over `__sentinel__:hello`.
 */
export const SENTINEL_RULES = [
  "allchannels",
  "-@all",
  "+multi",
  "+slaveof",
  "+ping",
  "+exec",
  "+subscribe",
  "+config|rewrite",
  "+role",
  "+publish",
  "+info",
  "+client|setname",
  "+client|kill",
  "+script|kill",
] as const;

/**
 * Probes (`PING`, `INFO replication`) and redis_exporter. What the exporter issues on a plain
 * node with its defaults (oliver006/redis_exporter exporter/exporter.go scrapeRedisHost: CLIENT
 * SETNAME, INFO ALL; latency.go LATENCY LATEST/HISTOGRAM; slowlog.go SLOWLOG LEN/GET;
 * commandlog.go COMMAND INFO). Narrower than the exporter README's ACL on purpose: no
 * `config|get` (`CONFIG GET *` answers `masterauth`, the replication password, and through
 * PSYNC the whole dataset), no `+client` (KILL, PAUSE), `+eval`, `+get`, `+scan` (only for
 * check-keys and scripts, which are not configured); the exporter runs with
 * `REDIS_EXPORTER_CONFIG_COMMAND=-` so it does not try CONFIG GET.
 */
export const MONITOR_RULES = [
  "resetchannels",
  "-@all",
  "+ping",
  "+info",
  "+client|setname",
  "+latency|latest",
  "+latency|histogram",
  "+slowlog|len",
  "+slowlog|get",
  "+command|info",
] as const;

/**
 * A consumer on the Sentinels: only master discovery, as Sentinel-aware clients do it
 * (`SENTINEL GET-MASTER-ADDR-BY-NAME`, `SENTINEL SENTINELS/REPLICAS`, `SUBSCRIBE +switch-master`).
 * Sentinel's command table holds only Sentinel commands, so these rules name nothing else
 * (an unknown command in a `user` line stops Sentinel at start).
 */
export const SENTINEL_DISCOVERY_RULES = [
  "resetchannels",
  "&+switch-master",
  "-@all",
  "+ping",
  "+client|setname",
  "+sentinel|get-master-addr-by-name",
  "+sentinel|master",
  "+sentinel|masters",
  "+sentinel|sentinels",
  "+sentinel|replicas",
  "+sentinel|slaves",
  "+subscribe",
  "+unsubscribe",
] as const;

/** Sentinels on each other (`SENTINEL IS-MASTER-DOWN-BY-ADDR`, hello messages) and the init containers. */
export const SENTINEL_PEER_RULES = ["allchannels", "+@all"] as const;

/** One ACL user. */
export interface RedisUser {
  /** ACL user name (`default` is the user of connections that send no name). */
  readonly name: string;
  /** Clear password; rendered only as its SHA-256. */
  readonly password: string;
  /** ACL rules after `reset on #<hash>`, in order (later rules override earlier ones). */
  readonly rules: readonly string[];
}

/** SHA-256 of a password as Redis stores it (lowercase hex). */
export function passwordHash(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Problems with a set of users (empty when they render). */
export function validateUsers(users: readonly RedisUser[], where: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const u of users) {
    if (!NAME.test(u.name)) problems.push(`${where}.${u.name}: user name must match ${NAME}`);
    if (seen.has(u.name)) problems.push(`${where}.${u.name}: declared twice`);
    seen.add(u.name);
    if (u.password.length < 16) problems.push(`${where}.${u.name}: password needs at least 16 characters`);
    for (const rule of u.rules) {
      if (/\s/.test(rule) || rule === "" || rule.startsWith(">") || rule === "nopass") {
        problems.push(
          `${where}.${u.name}: rule "${rule}" is not allowed (no spaces, clear passwords or nopass)`,
        );
      }
    }
  }
  return problems;
}

/**
 * `user` lines. Each starts with `reset` (no password, keys, channels or commands, off) so a
 * line means exactly what it says; `default` is rendered `off` unless it is in `users`, so a
 * connection that does not authenticate can run nothing.
 */
export function renderUserLines(users: readonly RedisUser[], where: string): string[] {
  const problems = validateUsers(users, where);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const lines = users.map((u) => `user ${u.name} reset on #${passwordHash(u.password)} ${u.rules.join(" ")}`);
  if (!users.some((u) => u.name === "default")) lines.unshift("user default reset off");
  return lines;
}

/** How an application connects and what it issues beyond the non-dangerous commands. */
export interface ConsumerAccess {
  /**
   * The ACL user it authenticates as. `default` when the client cannot send a user name: its
   * password then authenticates as `default` (AUTH <password>, or HELLO ... AUTH default).
   */
  readonly user: string;
  /** Commands from `@dangerous` it issues. */
  readonly commands: readonly string[];
  /** Whether it publishes or subscribes. */
  readonly channels: boolean;
}

/**
 * Each application's access, from its own source.
 *
 * - `janua` (madfam-org/janua apps/api): connects with `redis.from_url(REDIS_URL)`
 *   (app/core/redis.py init_redis, services/cache.py), and redis-py's from_url sends the URL's
 *   user name (`AUTH janua <pw>`). It calls KEYS for cache invalidation (services/cache.py,
 *   services/rbac_service.py, sso/.../config_repository.py, security/rate_limiter.py); no INFO on
 *   a live path (only app/infrastructure/redis_cluster.py, which nothing imports); no Pub/Sub;
 *   slowapi's Limiter (app/main.py) keeps its counters in memory (no storage_uri), so the
 *   `limits` library issues nothing here. RateLimiter uses TIME/ZADD/ZCARD/EXPIRE in a pipeline,
 *   redis-py's Lock uses EVALSHA/SCRIPT LOAD: none is dangerous.
 * - `enclii` (madfam-org/enclii apps/switchyard-api internal/cache/redis.go): go-redis
 *   `redis.Options{Addr, Password, DB}` with no Username, and config.go reads only
 *   `ENCLII_REDIS_HOST/PORT/PASSWORD`: go-redis v9 then sends `HELLO 3 AUTH default <pw>`
 *   (commands.go Hello) or `AUTH <pw>` (redis.go initConn fallback), so switchyard can only be
 *   `default`. It calls KEYS (InvalidatePattern), INFO stats (GetMetrics) and Publish/Subscribe.
 */
export const CONSUMER_ACCESS: Record<string, ConsumerAccess> = {
  janua: { user: "janua", commands: ["keys"], channels: false },
  enclii: { user: "default", commands: ["keys", "info"], channels: true },
};

/** Passwords of one Redis: one per consumer and per system user in use. */
export interface RedisPasswords {
  readonly consumers: Readonly<Record<string, string>>;
  readonly replication: string;
  readonly monitor: string;
  /** Set in sentinel mode. */
  readonly sentinel?: string;
}

function accessOf(consumer: string): ConsumerAccess {
  const access = CONSUMER_ACCESS[consumer];
  if (!access) {
    throw new Error(
      `Redis consumer "${consumer}" has no ACL entry; add it to CONSUMER_ACCESS (components/data/redis-acl.ts) with the commands it issues`,
    );
  }
  return access;
}

/** The users of a data node: each consumer, replication, monitor, and Sentinel when set. */
export function dataNodeUsers(p: RedisPasswords): RedisUser[] {
  const users: RedisUser[] = Object.entries(p.consumers).map(([consumer, password]) => {
    const access = accessOf(consumer);
    return { name: access.user, password, rules: applicationRules(access) };
  });
  users.push(
    { name: REDIS_SYSTEM_USERS.replication, password: p.replication, rules: REPLICATION_RULES },
    { name: REDIS_SYSTEM_USERS.monitor, password: p.monitor, rules: MONITOR_RULES },
  );
  if (p.sentinel)
    users.push({ name: REDIS_SYSTEM_USERS.sentinel, password: p.sentinel, rules: SENTINEL_RULES });
  return users;
}

/** The users of a Sentinel: the peer user and each consumer's discovery user. */
export function sentinelUsers(p: RedisPasswords): RedisUser[] {
  if (!p.sentinel) throw new Error("sentinelUsers: the Sentinel password is missing (sentinel mode only)");
  return [
    { name: REDIS_SYSTEM_USERS.sentinel, password: p.sentinel, rules: SENTINEL_PEER_RULES },
    ...Object.entries(p.consumers).map(([consumer, password]) => ({
      name: accessOf(consumer).user,
      password,
      rules: SENTINEL_DISCOVERY_RULES,
    })),
  ];
}
