/**
 * `enclii:edge:AccessApplication`: puts a hostname served by the tunnel behind Cloudflare Access.
 * A reusable Access policy allows the listed emails (one-time PIN or the account's identity
 * providers) and a self-hosted Access application covers the hostname; every request without a
 * valid Access session is stopped at Cloudflare's edge, before it reaches cloudflared.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link AccessApplication}. */
export interface AccessApplicationArgs {
  readonly accountId: string;
  /** The hostname to protect, e.g. `grafana.enclii.dev`. */
  readonly hostname: string;
  /** Name shown in the Access app launcher, e.g. `Grafana (production)`. */
  readonly displayName: string;
  /** Who may pass. At least one, unless a service token is admitted. */
  readonly allowedEmails: readonly string[];
  /**
   * An Access service token admitted besides the emails, by a `non_identity` policy: CI's
   * `cloudflared access tcp` authenticates with it (TUNNEL_SERVICE_TOKEN_ID/SECRET).
   */
  readonly serviceTokenId?: pulumi.Input<string>;
  /** How long a session lasts before Access asks again. @default "12h" */
  readonly sessionDuration?: string;
}

/**
 * The service token policy: `non_identity` (no user identity, no login page), including only this
 * token. Pure.
 */
export function serviceTokenPolicyArgs(
  a: AccessApplicationArgs,
  tokenId: pulumi.Input<string>,
): cloudflare.ZeroTrustAccessPolicyArgs {
  return {
    accountId: a.accountId,
    name: `${a.displayName}: CI service token`,
    decision: "non_identity",
    includes: [{ serviceToken: { tokenId } }],
  };
}

/** The policy's inputs. Pure. @throws when no email is allowed (the app would lock everyone out) */
export function accessPolicyArgs(a: AccessApplicationArgs): cloudflare.ZeroTrustAccessPolicyArgs {
  if (a.allowedEmails.length === 0) {
    throw new Error(
      `Access application ${a.hostname}: allowedEmails is empty; list the admins in access.adminEmails`,
    );
  }
  return {
    accountId: a.accountId,
    name: `${a.displayName}: admins`,
    decision: "allow",
    includes: [...a.allowedEmails].sort().map((email) => ({ email: { email } })),
    sessionDuration: a.sessionDuration ?? "12h",
  };
}

/** The application's inputs (the policies are attached by id, in order of precedence). Pure. */
export function accessApplicationArgs(
  a: AccessApplicationArgs,
  policyId: pulumi.Input<string> | readonly pulumi.Input<string>[],
): cloudflare.ZeroTrustAccessApplicationArgs {
  const ids = Array.isArray(policyId) ? policyId : [policyId];
  return {
    accountId: a.accountId,
    type: "self_hosted",
    name: a.displayName,
    domain: a.hostname,
    destinations: [{ type: "public", uri: a.hostname }],
    policies: ids.map((id, i) => ({ id, precedence: i + 1 })),
    sessionDuration: a.sessionDuration ?? "12h",
    // A TCP route (service token) is no web page: the App Launcher would open a dead tile.
    appLauncherVisible: a.serviceTokenId === undefined,
    httpOnlyCookieAttribute: true,
    sameSiteCookieAttribute: "lax",
    enableBindingCookie: false,
    // Kept off on the TCP apps too. A rejected service token makes Access redirect to its login
    // page and `cloudflared access tcp` fall back to a browser login polled for ten minutes
    // (cloudflare/cloudflared carrier/websocket.go createWebsocketStream -> IsAccessResponse, which
    // only matches a 302 to the login path; token/transfer.go pollAttempts = 10, clientTimeout =
    // 60s). A 401 would fail that fast, but the same apps admit the admins by email, whose
    // `cloudflared access tcp` from a workstation needs exactly that redirect to log in
    // (docs/deploy.md), and Cloudflare documents the flag only for "a request blocked by a Service
    // Auth policy" without saying how an app with an allow policy too answers a request without a
    // token. scripts/ci/cluster-tunnel.sh bounds the wait instead: each route is probed with a 20 s
    // timeout and a failure stops the job with the proxy's log.
    serviceAuth401Redirect: false,
  };
}

/** An Access application with its allow policy. */
export class AccessApplication extends pulumi.ComponentResource {
  /** The application's audience tag (what an origin checks in `Cf-Access-Jwt-Assertion`). */
  public readonly aud: pulumi.Output<string>;
  public readonly hostname: string;

  constructor(name: string, args: AccessApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:AccessApplication", name, {}, opts);
    const policies: pulumi.Input<string>[] = [];
    if (args.serviceTokenId !== undefined) {
      const token = new cloudflare.ZeroTrustAccessPolicy(
        `${name}-service-token-policy`,
        serviceTokenPolicyArgs(args, args.serviceTokenId),
        { parent: this },
      );
      policies.push(token.id);
    }
    if (args.serviceTokenId === undefined || args.allowedEmails.length > 0) {
      const policy = new cloudflare.ZeroTrustAccessPolicy(`${name}-policy`, accessPolicyArgs(args), {
        parent: this,
      });
      policies.push(policy.id);
    }
    const app = new cloudflare.ZeroTrustAccessApplication(
      `${name}-app`,
      accessApplicationArgs(args, policies),
      { parent: this },
    );
    this.aud = app.aud;
    this.hostname = args.hostname;
    this.registerOutputs({ aud: this.aud, hostname: this.hostname });
  }
}
