/**
 * Redis in the cluster as plain manifests, standalone or with Sentinel. Pure: the passwords and
 * rendered configs come in as (secret) values; the component wires them. Probes and the exporter
 * authenticate as the `monitor` ACL user, the init containers and Sentinel probes as `sentinel`
 * (./redis-acl.ts), each with its password from the `redis-auth` Secret.
 *
 * Sentinel mode: StatefulSet `redis` (3 data pods) and StatefulSet `redis-sentinel` (3
 * Sentinels, quorum 2), each pod reachable by a stable DNS name through a headless Service.
 * An init container asks the Sentinels for the current master before a data pod starts, so a
 * restarted old master comes back as a replica instead of a second master.
 */
import { commonLabels, selectorLabels } from "../shared/labels";
import { podDefaults, restrictedContainerSecurityContext } from "../shared/pod";
import { LONGHORN_BACKUP_LABELS } from "../storage/longhorn-values";
import { IMAGES, imageRef } from "../versions";
import { REDIS_SYSTEM_USERS } from "./redis-acl";

type Obj = Record<string, unknown>;

/** The redis image runs as this user (redis:alpine). */
export const REDIS_UID = 999;

/** Names of the objects. */
export const REDIS = {
  name: "redis",
  sentinel: "redis-sentinel",
  /** Passwords of the system users (keys `replication`, `monitor`, `sentinel`). */
  secret: "redis-auth",
  config: "redis-config",
  masterName: "enclii",
  port: 6379,
  sentinelPort: 26379,
  /** redis_exporter's metrics port on the data pods. */
  metricsPort: 9121,
} as const;

/** Options of the Redis manifests. */
export interface RedisManifestOptions {
  readonly namespace: string;
  readonly mode: "standalone" | "sentinel";
  readonly storageSize: string;
  /** @default "longhorn" */
  readonly storageClass?: string;
  readonly resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  /**
   * Run redis_exporter beside each data pod (port `metrics`, 9121) for Prometheus. @default false
   */
  readonly exporter?: boolean;
  /**
   * Written to the pods' `enclii.dev/redis-config` annotation: a digest of the rendered configs,
   * so a changed user or password rolls the pods (Kubernetes does not restart a pod when a
   * Secret it mounts or reads changes). @default - no annotation
   */
  readonly configVersion?: string;
}

/** Pod template annotation carrying {@link RedisManifestOptions.configVersion}. */
export const REDIS_CONFIG_ANNOTATION = "enclii.dev/redis-config";

/** Stable DNS name of a pod of a StatefulSet behind its headless Service. */
export function podHost(statefulSet: string, ordinal: number, namespace: string): string {
  return `${statefulSet}-${ordinal}.${statefulSet}-headless.${namespace}.svc.cluster.local`;
}

const labelsFor = (name: string) => commonLabels({ name, component: "cache", version: IMAGES.redis.tag });

/** Script of the data pods' init container: copy redis.conf, follow the current master. */
export function renderRedisInitScript(namespace: string): string {
  const sentinels = [0, 1, 2].map((i) => podHost(REDIS.sentinel, i, namespace));
  return [
    "#!/bin/sh",
    "# Writes the pod's redis.conf; replicas follow the master the Sentinels report. Rendered by enclii-infra.",
    "set -eu",
    "mkdir -p /data/conf",
    "cp /secret/redis.conf /data/conf/redis.conf",
    "pod=$(hostname)",
    "ordinal=${pod##*-}",
    `self="$pod.${REDIS.name}-headless.${namespace}.svc.cluster.local"`,
    'echo "replica-announce-ip $self" >> /data/conf/redis.conf',
    'master=""',
    `for s in ${sentinels.join(" ")}; do`,
    `  master=$(redis-cli -h "$s" -p ${REDIS.sentinelPort} --user ${REDIS_SYSTEM_USERS.sentinel} -a "$REDIS_SENTINEL_PASSWORD" --no-auth-warning sentinel get-master-addr-by-name ${REDIS.masterName} 2>/dev/null | head -n 1 || true)`,
    '  if [ -n "$master" ]; then break; fi',
    "done",
    `if [ -z "$master" ] && [ "$ordinal" != "0" ]; then master="${podHost(REDIS.name, 0, namespace)}"; fi`,
    'if [ -n "$master" ] && [ "$master" != "$self" ]; then',
    `  echo "replicaof $master ${REDIS.port}" >> /data/conf/redis.conf`,
    "fi",
    "",
  ].join("\n");
}

/** Script of the Sentinels' init container: a writable sentinel.conf that monitors the current master. */
export function renderSentinelInitScript(namespace: string): string {
  const sentinels = [0, 1, 2].map((i) => podHost(REDIS.sentinel, i, namespace));
  return [
    "#!/bin/sh",
    "# Writes the Sentinel's config (Sentinel rewrites it at run time). Rendered by enclii-infra.",
    "set -eu",
    "pod=$(hostname)",
    `self="$pod.${REDIS.sentinel}-headless.${namespace}.svc.cluster.local"`,
    'master=""',
    `for s in ${sentinels.join(" ")}; do`,
    '  if [ "$s" = "$self" ]; then continue; fi',
    `  master=$(redis-cli -h "$s" -p ${REDIS.sentinelPort} --user ${REDIS_SYSTEM_USERS.sentinel} -a "$REDIS_SENTINEL_PASSWORD" --no-auth-warning sentinel get-master-addr-by-name ${REDIS.masterName} 2>/dev/null | head -n 1 || true)`,
    '  if [ -n "$master" ]; then break; fi',
    "done",
    `if [ -z "$master" ]; then master="${podHost(REDIS.name, 0, namespace)}"; fi`,
    `sed -e "s/@MASTER@/$master/" -e "s/@SELF@/$self/" /secret/sentinel.conf > /data/sentinel.conf`,
    "",
  ].join("\n");
}

/** Environment variable holding the password of a system user, from the `redis-auth` Secret. */
export const PASSWORD_ENV = {
  monitor: "REDIS_MONITOR_PASSWORD",
  sentinel: "REDIS_SENTINEL_PASSWORD",
} as const;

function passwordEnv(user: keyof typeof PASSWORD_ENV): Obj[] {
  return [{ name: PASSWORD_ENV[user], valueFrom: { secretKeyRef: { name: REDIS.secret, key: user } } }];
}

function authProbe(port: number, command: "ping" | "role", overrides: Obj): Obj {
  // The probe authenticates: an unauthenticated PING would answer NOAUTH and look healthy. Data
  // nodes are probed as `monitor` (PING, INFO), Sentinels as `sentinel`.
  const user = port === REDIS.port ? "monitor" : "sentinel";
  const cli = `redis-cli -p ${port} --user ${REDIS_SYSTEM_USERS[user]} -a "$${PASSWORD_ENV[user]}" --no-auth-warning`;
  const check =
    command === "ping"
      ? `${cli} ping | grep -q PONG`
      : `${cli} ${port === REDIS.port ? "info replication" : "ping"} | grep -Eq "role:|PONG"`;
  return {
    exec: { command: ["sh", "-c", check] },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
    ...overrides,
  };
}

function statefulSet(
  o: RedisManifestOptions,
  name: string,
  replicas: number,
  container: Obj,
  init: Obj | undefined,
  sidecars: Obj[] = [],
): Obj {
  const selector = selectorLabels({ name });
  const spread =
    o.mode === "sentinel"
      ? {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
        }
      : {};
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: o.namespace, labels: labelsFor(name) },
    spec: {
      serviceName: `${name}-headless`,
      replicas,
      podManagementPolicy: "Parallel",
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...labelsFor(name), ...selector },
          ...(o.configVersion ? { annotations: { [REDIS_CONFIG_ANNOTATION]: o.configVersion } } : {}),
        },
        spec: {
          ...podDefaults({ uid: REDIS_UID }),
          ...spread,
          ...(init ? { initContainers: [init] } : {}),
          containers: [container, ...sidecars],
          volumes: [{ name: "secret", secret: { secretName: REDIS.config, defaultMode: 0o440 } }],
        },
      },
      volumeClaimTemplates: [
        {
          // The data pods' AOF and RDB are backed up by Longhorn's RecurringJobs (group
          // volume-backup); a Sentinel's state is rebuilt by its init container, not backed up.
          metadata: {
            name: "data",
            ...(name === REDIS.sentinel ? {} : { labels: { ...LONGHORN_BACKUP_LABELS } }),
          },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: o.storageClass ?? "longhorn",
            resources: { requests: { storage: name === REDIS.sentinel ? "1Gi" : o.storageSize } },
          },
        },
      ],
    },
  };
}

function service(
  o: RedisManifestOptions,
  name: string,
  port: number,
  headless: boolean,
  target: string,
): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: o.namespace, labels: labelsFor(target) },
    spec: {
      type: "ClusterIP",
      ...(headless ? { clusterIP: "None", publishNotReadyAddresses: true } : {}),
      selector: selectorLabels({ name: target }),
      ports: [{ name: "redis", port, targetPort: port, protocol: "TCP" }],
    },
  };
}

function pdb(o: RedisManifestOptions, name: string, minAvailable: number): Obj {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: o.namespace, labels: labelsFor(name) },
    spec: { minAvailable, selector: { matchLabels: selectorLabels({ name }) } },
  };
}

/**
 * redis_exporter: scrapes the Redis beside it over localhost as the `monitor` user
 * (REDIS_USER/REDIS_PASSWORD, oliver006/redis_exporter main.go); CONFIG GET skipped
 * (REDIS_EXPORTER_CONFIG_COMMAND `-`, exporter.go) since `monitor` may not read the config.
 */
function exporterContainer(): Obj {
  const tcpProbe = (overrides: Obj) => ({
    tcpSocket: { port: REDIS.metricsPort },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
    ...overrides,
  });
  return {
    name: "exporter",
    image: imageRef(IMAGES.redisExporter),
    env: [
      { name: "REDIS_ADDR", value: `redis://localhost:${REDIS.port}` },
      { name: "REDIS_USER", value: REDIS_SYSTEM_USERS.monitor },
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: REDIS.secret, key: "monitor" } } },
      { name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" },
      { name: "REDIS_EXPORTER_WEB_LISTEN_ADDRESS", value: `:${REDIS.metricsPort}` },
    ],
    ports: [{ name: "metrics", containerPort: REDIS.metricsPort }],
    livenessProbe: tcpProbe({ initialDelaySeconds: 10 }),
    readinessProbe: tcpProbe({ periodSeconds: 5 }),
    securityContext: restrictedContainerSecurityContext(),
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
  };
}

/** Every Redis object except the Secrets (the component adds those with the real values). */
export function renderRedisManifests(o: RedisManifestOptions): Obj[] {
  const sentinel = o.mode === "sentinel";
  const image = imageRef(IMAGES.redis);
  const volumeMounts = [
    { name: "data", mountPath: "/data" },
    { name: "secret", mountPath: "/secret", readOnly: true },
  ];
  const redisContainer = {
    name: "redis",
    image,
    command: ["redis-server", sentinel ? "/data/conf/redis.conf" : "/secret/redis.conf"],
    env: passwordEnv("monitor"),
    ports: [{ name: "redis", containerPort: REDIS.port }],
    livenessProbe: authProbe(REDIS.port, "ping", { initialDelaySeconds: 20, failureThreshold: 6 }),
    readinessProbe: authProbe(REDIS.port, "role", { periodSeconds: 5 }),
    securityContext: restrictedContainerSecurityContext(),
    resources: o.resources,
    volumeMounts,
  };
  const redisInit = sentinel
    ? {
        name: "config",
        image,
        command: ["sh", "-c", renderRedisInitScript(o.namespace)],
        env: passwordEnv("sentinel"),
        securityContext: restrictedContainerSecurityContext(),
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
        volumeMounts,
      }
    : undefined;
  const objects: Obj[] = [
    statefulSet(
      o,
      REDIS.name,
      sentinel ? 3 : 1,
      redisContainer,
      redisInit,
      o.exporter ? [exporterContainer()] : [],
    ),
    service(o, `${REDIS.name}-headless`, REDIS.port, true, REDIS.name),
  ];
  if (!sentinel) {
    objects.push(service(o, REDIS.name, REDIS.port, false, REDIS.name));
    return objects;
  }
  const sentinelContainer = {
    name: "sentinel",
    image,
    command: ["redis-sentinel", "/data/sentinel.conf"],
    env: passwordEnv("sentinel"),
    ports: [{ name: "sentinel", containerPort: REDIS.sentinelPort }],
    livenessProbe: authProbe(REDIS.sentinelPort, "ping", { initialDelaySeconds: 20, failureThreshold: 6 }),
    readinessProbe: authProbe(REDIS.sentinelPort, "role", { periodSeconds: 5 }),
    securityContext: restrictedContainerSecurityContext(),
    resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    volumeMounts,
  };
  const sentinelInit = {
    name: "config",
    image,
    command: ["sh", "-c", renderSentinelInitScript(o.namespace)],
    env: passwordEnv("sentinel"),
    securityContext: restrictedContainerSecurityContext(),
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    volumeMounts,
  };
  objects.push(
    statefulSet(o, REDIS.sentinel, 3, sentinelContainer, sentinelInit),
    service(o, `${REDIS.sentinel}-headless`, REDIS.sentinelPort, true, REDIS.sentinel),
    service(o, REDIS.sentinel, REDIS.sentinelPort, false, REDIS.sentinel),
    pdb(o, REDIS.name, 2),
    pdb(o, REDIS.sentinel, 2),
  );
  return objects;
}
