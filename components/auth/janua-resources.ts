/**
 * Pulumi resources backed by the Janua API dynamic providers. The connection (internal API key,
 * admin credentials, the Access service token) is always passed as a secret; the client secret is a
 * secret output. Each resource records `providerVersion` ({@link JANUA_PROVIDER_VERSION}): a bump
 * makes the next `up` update each of them, so their stored provider (which `read` and `delete` run)
 * is the current one.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  JANUA_PROVIDER_VERSION,
  type JanuaConnection,
  januaOAuthClientProvider,
  januaOrganizationProvider,
} from "./janua-provider";

/** A Cloudflare Access service token: what the provider sends as `CF-Access-Client-Id/Secret`. */
export interface AccessServiceTokenArgs {
  readonly clientId: pulumi.Input<string>;
  readonly clientSecret: pulumi.Input<string>;
}

/** How to reach a Janua instance as its admin. */
export interface JanuaConnectionArgs {
  /** Its admin hostname behind Cloudflare Access (janua-routes.ts), e.g. `https://auth-admin.enclii.dev`. */
  readonly baseUrl: pulumi.Input<string>;
  readonly internalApiKey: pulumi.Input<string>;
  readonly adminEmail: pulumi.Input<string>;
  readonly adminPassword: pulumi.Input<string>;
  /** The service token the Access application of `baseUrl` admits (the tunnel's). */
  readonly accessToken?: AccessServiceTokenArgs;
}

function connection(args: JanuaConnectionArgs): pulumi.Output<JanuaConnection> {
  return pulumi.secret(
    pulumi
      .all([
        args.baseUrl,
        args.internalApiKey,
        args.adminEmail,
        args.adminPassword,
        args.accessToken?.clientId,
        args.accessToken?.clientSecret,
      ])
      .apply(
        ([baseUrl, internalApiKey, adminEmail, adminPassword, clientId, clientSecret]): JanuaConnection => ({
          baseUrl,
          internalApiKey,
          adminEmail,
          adminPassword,
          ...(clientId !== undefined && clientSecret !== undefined
            ? { accessClientId: clientId, accessClientSecret: clientSecret }
            : {}),
        }),
      ),
  );
}

/** An organization in a Janua instance. */
export class JanuaOrganization extends pulumi.dynamic.Resource {
  declare public readonly organizationId: pulumi.Output<string>;

  constructor(
    name: string,
    args: {
      connection: JanuaConnectionArgs;
      name: pulumi.Input<string>;
      slug: pulumi.Input<string>;
      description?: pulumi.Input<string>;
      billingEmail?: pulumi.Input<string>;
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      januaOrganizationProvider,
      name,
      {
        connection: connection(args.connection),
        name: args.name,
        slug: args.slug,
        description: args.description,
        billingEmail: args.billingEmail,
        providerVersion: JANUA_PROVIDER_VERSION,
        organizationId: undefined,
      },
      opts,
      "enclii",
      "JanuaOrganization",
    );
  }
}

/** An OAuth client in a Janua instance; its Pulumi id is Janua's UUID `id` of the client. */
export class JanuaOAuthClient extends pulumi.dynamic.Resource {
  /** The public client id (`jnc_...`) the OAuth flows send. */
  declare public readonly clientId: pulumi.Output<string>;
  /** Janua's database UUID of the client: the id every management call takes. */
  declare public readonly januaId: pulumi.Output<string>;
  declare public readonly clientSecret: pulumi.Output<string>;

  constructor(
    name: string,
    args: {
      connection: JanuaConnectionArgs;
      clientKey: pulumi.Input<string>;
      name: pulumi.Input<string>;
      description?: pulumi.Input<string>;
      redirectUris: pulumi.Input<pulumi.Input<string>[]>;
      allowedScopes?: pulumi.Input<string[]>;
      organizationId?: pulumi.Input<string>;
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      januaOAuthClientProvider,
      name,
      {
        connection: connection(args.connection),
        clientKey: args.clientKey,
        name: args.name,
        description: args.description,
        redirectUris: args.redirectUris,
        allowedScopes: args.allowedScopes,
        organizationId: args.organizationId,
        providerVersion: JANUA_PROVIDER_VERSION,
        januaId: undefined,
        clientId: undefined,
        clientSecret: undefined,
      },
      { ...opts, additionalSecretOutputs: ["clientSecret"] },
      "enclii",
      "JanuaOAuthClient",
    );
  }
}
