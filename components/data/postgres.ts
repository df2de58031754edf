/**
 * `enclii:data:Postgres`: a CloudNativePG cluster on Longhorn with continuous backups to R2
 * (barman-cloud plugin: WAL archiving and daily base backups under `cnpg/<cluster>/`), and a
 * Database plus a managed login role per consumer with a generated password.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { S3Credentials } from "../edge/r2-buckets";
import { createObjects } from "../shared/objects";
import {
  type PostgresOptions,
  renderCluster,
  renderDatabases,
  renderObjectStore,
  renderScheduledBackup,
  roleSecretName,
  rwHost,
  validatePostgresOptions,
} from "./postgres-manifests";

/** How one consumer connects. */
export interface PostgresConnection {
  /** `<cluster>-rw.<namespace>.svc`. */
  readonly host: string;
  readonly port: 5432;
  readonly database: string;
  readonly user: string;
  /** `<namespace>/<name>` of the Secret in the cluster that holds this role's password. */
  readonly credentialsSecret: string;
  readonly password: pulumi.Output<string>;
  /** `postgresql://user:password@host:5432/database?sslmode=require` (secret). */
  readonly url: pulumi.Output<string>;
}

/** Arguments of {@link Postgres}. */
export interface PostgresArgs extends Omit<PostgresOptions, "backup" | "namespace"> {
  readonly provider: k8s.Provider;
  /** The namespace (an Output, so objects wait for it). */
  readonly namespace: pulumi.Input<string>;
  /** The same namespace as a plain name, for DNS names. */
  readonly namespaceName: string;
  /** The R2 `cnpg` consumer. */
  readonly r2: S3Credentials;
  readonly retention: string;
  readonly schedule: string;
  /** The operator and plugin charts (their CRDs). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  /** Protect the Cluster (production). @default false */
  readonly protect?: boolean;
}

/**
 * What makes the provider wait until the CNPG `Cluster` can serve. pulumi-kubernetes awaits a
 * custom resource only when asked: `metadata.ReadyCondition` (provider/pkg/metadata/overrides.go)
 * returns an immediate no-op for a CR without the `pulumi.com/waitFor` annotation (unless
 * PULUMI_K8S_AWAIT_ALL=true in the provider's environment); `condition=Ready` waits for
 * `status.conditions[type=Ready].status == "True"` (provider/pkg/await/condition/custom.go, the
 * `kubectl wait --for=condition=` syntax). CNPG sets that condition on the Cluster
 * (cloudnative-pg api/v1/cluster_types.go, `ConditionClusterReady ClusterConditionType = "Ready"`)
 * once its instances are up. Consumers depend on the Cluster, so they start after it is Ready.
 */
export const CLUSTER_READY_AWAIT = { "pulumi.com/waitFor": "condition=Ready" } as const;

/**
 * What makes the provider wait until a CNPG `Database` exists in PostgreSQL. CNPG reconciles the
 * managed roles and the `Database` objects after the Cluster is Ready, so a consumer started on
 * Ready alone can find its database missing for a while (and restart). The Database reports
 * `status.applied: true` once created (cloudnative-pg api/v1/database_types.go `DatabaseStatus`;
 * the CRD's `Applied` printer column `.status.applied`); `jsonpath=` is the `kubectl wait
 * --for=jsonpath=` syntax pulumi-kubernetes reads from `pulumi.com/waitFor`
 * (provider/pkg/await/condition/jsonpath.go).
 *
 * Neither wait says anything on an update: CNPG's `Ready` condition carries no
 * `observedGeneration` (nor does the Cluster's status), so after a change the old `True` satisfies
 * the await at once, and a changed Database is `applied` already. The timeouts matter on create.
 */
export const DATABASE_APPLIED_AWAIT = { "pulumi.com/waitFor": "jsonpath={.status.applied}=true" } as const;

/**
 * How long the provider may wait for the Cluster (the await's context timeout, 10 minutes by
 * default: provider/pkg/await/await.go; `customTimeouts` reach it as the request's timeout). On a
 * fresh node the first Ready needs, in sequence: Longhorn to provision and attach a new volume
 * (its instance-manager and engine images pulled on first use: a few minutes), the CNPG initdb
 * Job (the PostgreSQL image pulled, initdb, a first checkpoint), the primary pod started with the
 * barman-cloud sidecar, and the first WAL archived. That is typically 5 to 15 minutes on a cold
 * node, longer when the registry is slow; a `bootstrap.recovery` from R2 adds the base backup's
 * download and the WAL replay on top. 45 minutes covers a recovery of a few tens of GB at R2's
 * usual throughput; an update (a rolling restart of the instances) is bounded at 20.
 */
export const CLUSTER_TIMEOUTS = { create: "45m", update: "20m" } as const;

/** A PostgreSQL cluster and a connection per consumer. */
export class Postgres extends pulumi.ComponentResource {
  public readonly connections: Record<string, PostgresConnection>;
  public readonly clusterName: string;
  /** The CNPG `Cluster`: created when the provider has seen it Ready ({@link CLUSTER_READY_AWAIT}). */
  public readonly cluster: pulumi.Resource;
  /** Each consumer's `Database`, created when CNPG applied it ({@link DATABASE_APPLIED_AWAIT}). */
  public readonly databases: Record<string, pulumi.Resource>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:data:Postgres", name, {}, opts);
    const credentialsSecret = `${args.name}-r2-credentials`;
    const options: PostgresOptions = {
      ...args,
      namespace: args.namespaceName,
      backup: {
        bucket: args.r2.bucket,
        endpoint: args.r2.endpoint,
        credentialsSecret,
        retention: args.retention,
        schedule: args.schedule,
      },
    };
    const problems = validatePostgresOptions(options);
    if (problems.length > 0) throw new Error(`enclii:data:Postgres ${name}: ${problems.join("; ")}`);
    this.clusterName = args.name;
    const base = { parent: this, provider: args.provider };
    const r2Secret = new k8s.core.v1.Secret(
      `${name}-r2-credentials`,
      {
        metadata: { name: credentialsSecret, namespace: args.namespace },
        type: "Opaque",
        stringData: { ACCESS_KEY_ID: args.r2.accessKeyId, ACCESS_SECRET_KEY: args.r2.secretAccessKey },
      },
      base,
    );
    this.connections = {};
    const roleSecrets: k8s.core.v1.Secret[] = [];
    for (const consumer of args.consumers) {
      const password = new random.RandomPassword(
        `${name}-${consumer}-password`,
        { length: 32, special: false },
        { parent: this },
      );
      roleSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-${consumer}-credentials`,
          {
            metadata: {
              name: roleSecretName(args.name, consumer),
              namespace: args.namespace,
              // CNPG reloads the role's password when the Secret changes.
              labels: { "cnpg.io/reload": "true" },
            },
            type: "kubernetes.io/basic-auth",
            stringData: { username: consumer, password: password.result },
          },
          base,
        ),
      );
      const host = rwHost(args.name, args.namespaceName);
      this.connections[consumer] = {
        host,
        port: 5432,
        database: consumer,
        user: consumer,
        credentialsSecret: `${args.namespaceName}/${roleSecretName(args.name, consumer)}`,
        password: pulumi.secret(password.result),
        url: pulumi.secret(
          pulumi.interpolate`postgresql://${consumer}:${password.result}@${host}:5432/${consumer}?sslmode=require`,
        ),
      };
    }
    const [objectStore] = createObjects(
      name,
      [renderObjectStore(options)],
      { ...base, dependsOn: [...args.dependsOn, r2Secret] },
      args.namespace,
    );
    const rendered = renderCluster(options);
    const meta = rendered.metadata as Record<string, unknown>;
    const [cluster] = createObjects(
      name,
      [
        {
          ...rendered,
          metadata: {
            ...meta,
            annotations: { ...((meta.annotations ?? {}) as Record<string, string>), ...CLUSTER_READY_AWAIT },
          },
        },
      ],
      {
        ...base,
        dependsOn: [...args.dependsOn, objectStore as pulumi.Resource, ...roleSecrets],
        protect: args.protect ?? false,
        customTimeouts: CLUSTER_TIMEOUTS,
      },
      args.namespace,
    );
    this.cluster = cluster as pulumi.Resource;
    createObjects(
      name,
      [renderScheduledBackup(options)],
      { ...base, dependsOn: [cluster as pulumi.Resource] },
      args.namespace,
    );
    const databases = renderDatabases(options).map((db) => ({
      ...db,
      metadata: { ...(db.metadata as Record<string, unknown>), annotations: { ...DATABASE_APPLIED_AWAIT } },
    }));
    const created = createObjects(
      name,
      databases,
      { ...base, dependsOn: [cluster as pulumi.Resource], customTimeouts: { create: "10m", update: "10m" } },
      args.namespace,
    );
    this.databases = Object.fromEntries(
      options.consumers.map((consumer, i) => [consumer, created[i] as pulumi.Resource]),
    );
    this.registerOutputs({ connections: this.connections });
  }
}
