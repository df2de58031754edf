/**
 * `enclii:edge:TunnelHealthNotification`: Cloudflare's own "Tunnel Health Alert" as code, an
 * account Notification policy of type `tunnel_health_event` that emails when a Cloudflare Tunnel
 * changes health (healthy, degraded, down, inactive). Cloudflare watches the tunnel from its
 * edge, so this pages when the only node is gone together with Prometheus and Alertmanager.
 *
 * Filtered to the stack's own tunnel: without filters the policy covers every tunnel of the
 * account, so with staging, production and drill tunnels in one account every stack's policy
 * would email about every tunnel, once per stack. The alert type takes the filters `tunnel_id` and
 * `new_status` (terraform-provider-cloudflare v5.22.0, which @pulumi/cloudflare 6.22.1 bridges,
 * internal/services/notification_policy/schema.go 297-300 and 387-388: "Used for configuring
 * tunnel_health_event"; `NotificationPolicyFilters.tunnelIds`, types/input.d.ts 10203). Every
 * status change is kept (also "healthy", the all-clear). Needs the deploy token's "Notifications
 * Write" permission.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** The Notification alert type (`NotificationPolicyArgs.alertType`, @pulumi/cloudflare 6.22). */
export const TUNNEL_HEALTH_ALERT_TYPE = "tunnel_health_event";

/** Arguments of {@link TunnelHealthNotification}. */
export interface TunnelHealthNotificationArgs {
  readonly accountId: string;
  /** The tunnel's name (`enclii-<stack>`, stacks/edge.ts), shown in the policy's name. */
  readonly tunnelName: string;
  /** The tunnel the policy watches (`Tunnel.tunnelId`); no other tunnel of the account. */
  readonly tunnelId: pulumi.Input<string>;
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
    name: `${a.tunnelName}: Cloudflare Tunnel health`,
    description: `enclii-infra: tunnel ${a.tunnelName} changed health (down when the cluster's node is gone).`,
    alertType: TUNNEL_HEALTH_ALERT_TYPE,
    filters: { tunnelIds: [a.tunnelId] },
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
