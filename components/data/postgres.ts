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

/** A PostgreSQL cluster and a connection per consumer. */
export class Postgres extends pulumi.ComponentResource {
  public readonly connections: Record<string, PostgresConnection>;
  public readonly clusterName: string;

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
    const [cluster] = createObjects(
      name,
      [renderCluster(options)],
      {
        ...base,
        dependsOn: [...args.dependsOn, objectStore as pulumi.Resource, ...roleSecrets],
        protect: args.protect ?? false,
      },
      args.namespace,
    );
    createObjects(
      name,
      [renderScheduledBackup(options), ...renderDatabases(options)],
      { ...base, dependsOn: [cluster as pulumi.Resource] },
      args.namespace,
    );
    this.registerOutputs({ connections: this.connections });
  }
}
