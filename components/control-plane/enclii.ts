/**
 * `enclii:control-plane:Enclii`: switchyard-api and switchyard-ui wired to the `enclii`
 * database, Redis, an OAuth client registered for Enclii in the shared Janua, a Cloudflare API
 * token limited to what the control plane manages (tunnel routes, DNS records, custom
 * hostnames), and Janua's API. Routes `api.<domain>` and `app.<domain>`.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { JanuaConnectionArgs } from "../auth/janua-resources";
import { JanuaOAuthClient } from "../auth/janua-resources";
import { createObjects, fillPlaceholders } from "../shared/objects";
import type { ImagePin } from "../versions";
import { CONTROL_PLANE, renderControlPlane } from "./manifests";

/** Permission groups of the control plane's Cloudflare token, by name (looked up at deploy time). */
export const CONTROL_PLANE_PERMISSIONS = {
  zone: ["DNS Write", "SSL and Certificates Write"],
  account: ["Cloudflare Tunnel Write"],
} as const;

/** Arguments of {@link Enclii}. */
export interface EncliiArgs {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Input<string>;
  readonly namespaceName: string;
  readonly apiImage: ImagePin;
  readonly uiImage: ImagePin;
  readonly apiReplicas: number;
  readonly uiReplicas: number;
  readonly apiHostname: string;
  readonly uiHostname: string;
  readonly janua: {
    readonly issuer: string;
    readonly internalUrl: string;
    readonly namespace: string;
    readonly connection: JanuaConnectionArgs;
    /** The Janua Deployment (ready before its API is called). */
    readonly deployment: pulumi.Resource;
  };
  readonly database: { readonly url: pulumi.Input<string> };
  readonly redis: { readonly host: string; readonly port: number; readonly password: pulumi.Input<string> };
  readonly dataNamespace: string;
  /** The cluster's Service CIDR. */
  readonly serviceCidr: string;
  readonly cloudflare: {
    readonly accountId: string;
    readonly zoneId: string;
    readonly tunnelId: pulumi.Input<string>;
  };
  /** The tunnel and its DNS: Janua must be reachable at its issuer URL before clients are registered. */
  readonly tunnelReady: pulumi.Input<pulumi.Resource>[];
  /**
   * Its database's CNPG `Cluster` (awaited until Ready) and the Redis StatefulSets (awaited until
   * every pod is ready): switchyard starts after them.
   */
  readonly dataReady: pulumi.Input<pulumi.Resource>[];
  readonly stack: string;
}

const CLIENT_ID = "@OIDC_CLIENT_ID@";
const TUNNEL_ID = "@TUNNEL_ID@";

/** The control plane. */
export class Enclii extends pulumi.ComponentResource {
  public readonly oauthClientId: pulumi.Output<string>;

  constructor(name: string, args: EncliiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:control-plane:Enclii", name, {}, opts);
    const parent = { parent: this };
    const client = new JanuaOAuthClient(
      `${name}-oauth-client`,
      {
        connection: args.janua.connection,
        clientKey: `enclii-control-plane-${args.stack}`,
        name: "Enclii",
        description: "Enclii control plane (switchyard)",
        redirectUris: [`https://${args.apiHostname}/v1/auth/callback`],
        allowedScopes: ["openid", "profile", "email"],
      },
      { ...parent, dependsOn: [args.janua.deployment, ...args.tunnelReady] },
    );
    this.oauthClientId = client.clientId;

    const groups = cloudflare.getApiTokenPermissionGroupsListOutput({}, parent);
    const idsOf = (names: readonly string[]) =>
      groups.results.apply((results) =>
        names.map((n) => {
          const found = results.find((g) => g.name === n);
          if (!found) throw new Error(`Cloudflare permission group "${n}" not found; Cloudflare renamed it?`);
          return { id: found.id };
        }),
      );
    const token = new cloudflare.ApiToken(
      `${name}-cloudflare-token`,
      {
        name: `enclii-${args.stack}-control-plane`,
        policies: [
          {
            effect: "allow",
            permissionGroups: idsOf(CONTROL_PLANE_PERMISSIONS.zone),
            resources: JSON.stringify({ [`com.cloudflare.api.account.zone.${args.cloudflare.zoneId}`]: "*" }),
          },
          {
            effect: "allow",
            permissionGroups: idsOf(CONTROL_PLANE_PERMISSIONS.account),
            resources: JSON.stringify({ [`com.cloudflare.api.account.${args.cloudflare.accountId}`]: "*" }),
          },
        ],
      },
      parent,
    );

    const base = { parent: this, provider: args.provider };
    const secret = new k8s.core.v1.Secret(
      `${name}-api-secret`,
      {
        metadata: { name: CONTROL_PLANE.secret, namespace: args.namespace },
        type: "Opaque",
        stringData: {
          ENCLII_DATABASE_URL: args.database.url,
          ENCLII_REDIS_PASSWORD: args.redis.password,
          ENCLII_OIDC_CLIENT_SECRET: client.clientSecret,
          ENCLII_CLOUDFLARE_API_TOKEN: token.value,
        },
      },
      base,
    );
    const rendered = renderControlPlane({
      namespace: args.namespaceName,
      apiImage: args.apiImage,
      uiImage: args.uiImage,
      apiReplicas: args.apiReplicas,
      uiReplicas: args.uiReplicas,
      apiHostname: args.apiHostname,
      uiHostname: args.uiHostname,
      januaIssuer: args.janua.issuer,
      januaInternalUrl: args.janua.internalUrl,
      oidcClientId: CLIENT_ID,
      redisHost: args.redis.host,
      redisPort: args.redis.port,
      cloudflare: {
        accountId: args.cloudflare.accountId,
        zoneId: args.cloudflare.zoneId,
        tunnelId: TUNNEL_ID,
      },
      dataNamespace: args.dataNamespace,
      januaNamespace: args.janua.namespace,
      serviceCidr: args.serviceCidr,
    }).map(
      (o) =>
        fillPlaceholders(o, {
          [CLIENT_ID]: client.clientId,
          [TUNNEL_ID]: args.cloudflare.tunnelId,
        }) as Record<string, unknown>,
    );
    createObjects(name, rendered, { ...base, dependsOn: [secret, ...args.dataReady] }, args.namespace);
    this.registerOutputs({ oauthClientId: this.oauthClientId });
  }
}
