/**
 * `enclii:auth:DedicatedJanua`: a tenant's own Janua: namespace `janua-<slug>` (restricted,
 * default deny), its own small CloudNativePG cluster with backups under `cnpg/janua-<slug>/`,
 * its own Redis, and Janua at `auth-<slug>.<domain>` (its API for the program at
 * `auth-<slug>-admin.<domain>`, behind Access).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderDataNetworkPolicies } from "../data/data-network";
import { Postgres } from "../data/postgres";
import type { PostgresOptions } from "../data/postgres-manifests";
import { Redis } from "../data/redis";
import type { S3Credentials } from "../edge/r2-buckets";
import { renderAllowDns, renderDefaultDeny, renderNamespace } from "../shared/namespace";
import { createObjects } from "../shared/objects";
import type { ImagePin } from "../versions";
import { Janua } from "./janua";
import type { AccessServiceTokenArgs } from "./janua-resources";

/** The PostgreSQL cluster of a dedicated Janua (also what its restore drill recovers into). */
export const DEDICATED_POSTGRES = {
  instances: 1,
  storageSize: "5Gi",
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
} as const;

/** Arguments of {@link DedicatedJanua}. */
export interface DedicatedJanuaArgs {
  readonly provider: k8s.Provider;
  readonly slug: string;
  readonly domain: string;
  readonly environment: string;
  readonly image: ImagePin;
  readonly replicas: number;
  readonly adminEmail: string;
  readonly features?: Record<string, boolean>;
  /** The R2 `cnpg` consumer (bucket-scoped). */
  readonly r2: S3Credentials;
  readonly backupRetention: string;
  readonly backupSchedule: string;
  /** The CNPG operator and plugin charts, and Longhorn. */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly protect?: boolean;
  /** The cluster's Service CIDR (the database reaches the API server through it). */
  readonly serviceCidr: string;
  /** Where Prometheus runs; undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
  /**
   * Archive and recovery per cluster name (`postgres.recovery`); this tenant's cluster
   * (`janua-<slug>`) takes its entry.
   */
  readonly archives?: Record<string, Pick<PostgresOptions, "archiveServerName" | "recovery">>;
  /** The Access service token of its admin hostname `auth-<slug>-admin.<domain>` (the tunnel's). */
  readonly apiAccess: AccessServiceTokenArgs;
}

/** A dedicated Janua with its own database and cache. */
export class DedicatedJanua extends pulumi.ComponentResource {
  public readonly janua: Janua;
  public readonly namespaceName: string;
  /** The namespace's name as an Output that waits for the Namespace resource. */
  public readonly namespace!: pulumi.Output<string>;

  constructor(name: string, args: DedicatedJanuaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:auth:DedicatedJanua", name, {}, opts);
    const nsName = `janua-${args.slug}`;
    this.namespaceName = nsName;
    const base = { parent: this, provider: args.provider };
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      renderNamespace({
        name: nsName,
        podSecurity: "restricted",
        labels: { "enclii.dev/tenant": args.slug, "enclii.dev/environment": args.environment },
        description: `dedicated Janua of tenant ${args.slug}`,
      }),
      base,
    );
    this.namespace = ns.metadata.name;
    const nsOpts = { ...base, dependsOn: [ns] };
    new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, renderDefaultDeny(nsName), nsOpts);
    new k8s.networking.v1.NetworkPolicy(`${name}-allow-dns`, renderAllowDns(nsName), nsOpts);
    // Its database and cache live beside it and only accept it (and the operator, Prometheus).
    createObjects(
      name,
      renderDataNetworkPolicies({
        namespace: nsName,
        clientNamespaces: [],
        serviceCidr: args.serviceCidr,
        monitoringNamespace: args.monitoringNamespace,
      }),
      nsOpts,
    );
    const postgres = new Postgres(
      `${name}-postgres`,
      {
        provider: args.provider,
        name: nsName,
        namespace: ns.metadata.name,
        namespaceName: nsName,
        ...DEDICATED_POSTGRES,
        resources: {
          requests: { ...DEDICATED_POSTGRES.resources.requests },
          limits: { ...DEDICATED_POSTGRES.resources.limits },
        },
        consumers: ["janua"],
        ...(args.archives?.[nsName] ?? {}),
        r2: args.r2,
        retention: args.backupRetention,
        schedule: args.backupSchedule,
        dependsOn: args.dependsOn,
        protect: args.protect,
      },
      { parent: this },
    );
    const redis = new Redis(
      `${name}-redis`,
      {
        provider: args.provider,
        namespace: ns.metadata.name,
        namespaceName: nsName,
        // Its Redis serves only this Janua: `default` stays off, `janua` is the one application user.
        consumers: ["janua"],
        mode: "standalone",
        nodeCount: 1,
        storageSize: "1Gi",
        maxMemory: "128Mi",
        maxMemoryPolicy: "noeviction",
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
        dependsOn: args.dependsOn,
        protect: args.protect,
        exporter: args.monitoringNamespace !== undefined,
      },
      { parent: this },
    );
    this.janua = new Janua(
      `${name}-janua`,
      {
        provider: args.provider,
        namespace: ns.metadata.name,
        namespaceName: nsName,
        image: args.image,
        hostname: `auth-${args.slug}.${args.domain}`,
        domain: args.domain,
        replicas: args.replicas,
        adminEmail: args.adminEmail,
        defaultOrgSlug: args.slug,
        features: args.features,
        databaseUrl: (postgres.connections.janua as { url: pulumi.Output<string> }).url,
        redisUrl: redis.connections.janua.url,
        dataNamespace: nsName,
        apiAccess: args.apiAccess,
        clientNamespaces: ["enclii", `tenant-${args.slug}`],
        // Its own database Ready and Redis ready before it starts (see Janua's dependsOn).
        dependsOn: [postgres.cluster, ...Object.values(postgres.databases), ...redis.statefulSets],
      },
      { parent: this },
    );
    this.registerOutputs({ issuer: this.janua.issuer });
  }
}
