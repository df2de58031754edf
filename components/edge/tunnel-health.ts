/**
 * `enclii:edge:TunnelHealthNotification`: Cloudflare's own "Tunnel Health Alert" as code, an
 * account Notification policy of type `tunnel_health_event` that emails when a Cloudflare Tunnel
 * changes health (healthy, degraded, down, inactive). Cloudflare watches the tunnel from its
 * edge, so this pages when the only node is gone together with Prometheus and Alertmanager.
 *
 * The alert type takes no filters (developers.cloudflare.com cloudflare-one ... monitor-tunnels/
 * notifications: "Other options / filters: None"), so one policy covers every tunnel of the
 * account; the email names the tunnel. Needs the deploy token's "Notifications Write" permission.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** The Notification alert type (`NotificationPolicyArgs.alertType`, @pulumi/cloudflare 6.22). */
export const TUNNEL_HEALTH_ALERT_TYPE = "tunnel_health_event";

/** Arguments of {@link TunnelHealthNotification}. */
export interface TunnelHealthNotificationArgs {
  readonly accountId: string;
  /** Shown as the policy's name, e.g. `enclii-production`. */
  readonly label: string;
  /** Who gets the email (at least one). */
  readonly emails: readonly string[];
}

/** The policy's inputs. Pure; throws naming the field when there is nobody to tell. */
export function tunnelHealthPolicyArgs(a: TunnelHealthNotificationArgs): cloudflare.NotificationPolicyArgs {
  if (a.emails.length === 0) {
    throw new Error(
      "enclii:edge:TunnelHealthNotification: emails is empty: set monitoring.alertEmail.to or access.adminEmails, or turn monitoring.tunnelHealthNotification off",
    );
  }
  return {
    accountId: a.accountId,
    name: `${a.label}: Cloudflare Tunnel health`,
    description:
      "enclii-infra: a tunnel of this account changed health (down when the cluster's node is gone).",
    alertType: TUNNEL_HEALTH_ALERT_TYPE,
    enabled: true,
    mechanisms: { emails: [...a.emails].sort().map((id) => ({ id })) },
  };
}

/** The notification policy. */
export class TunnelHealthNotification extends pulumi.ComponentResource {
  public readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: TunnelHealthNotificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:TunnelHealthNotification", name, {}, opts);
    const policy = new cloudflare.NotificationPolicy(`${name}-policy`, tunnelHealthPolicyArgs(args), {
      parent: this,
    });
    this.policyId = policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
