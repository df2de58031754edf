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
  /** Who may pass. At least one. */
  readonly allowedEmails: readonly string[];
  /** How long a session lasts before Access asks again. @default "12h" */
  readonly sessionDuration?: string;
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

/** The application's inputs (the policy is attached by id). Pure. */
export function accessApplicationArgs(
  a: AccessApplicationArgs,
  policyId: pulumi.Input<string>,
): cloudflare.ZeroTrustAccessApplicationArgs {
  return {
    accountId: a.accountId,
    type: "self_hosted",
    name: a.displayName,
    domain: a.hostname,
    destinations: [{ type: "public", uri: a.hostname }],
    policies: [{ id: policyId, precedence: 1 }],
    sessionDuration: a.sessionDuration ?? "12h",
    appLauncherVisible: true,
    httpOnlyCookieAttribute: true,
    sameSiteCookieAttribute: "lax",
    enableBindingCookie: false,
    // Browsers only; API clients never talk to an admin UI.
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
    const policy = new cloudflare.ZeroTrustAccessPolicy(`${name}-policy`, accessPolicyArgs(args), {
      parent: this,
    });
    const app = new cloudflare.ZeroTrustAccessApplication(
      `${name}-app`,
      accessApplicationArgs(args, policy.id),
      { parent: this },
    );
    this.aud = app.aud;
    this.hostname = args.hostname;
    this.registerOutputs({ aud: this.aud, hostname: this.hostname });
  }
}
