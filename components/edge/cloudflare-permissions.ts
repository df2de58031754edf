/**
 * Cloudflare API token permission groups by name and id. Ids are global (the same in every
 * account; `GET /user/tokens/permission_groups` lists them, and @pulumi/cloudflare
 * getApiTokenPermissionGroupsList reads that list), so an `ApiToken` input that holds only ids can
 * be judged by name. The names are Cloudflare's; the ids were read from public Terraform code that
 * pins them (e.g. the R2 ids match components/edge/r2-plan.ts R2_PERMISSION_GROUPS). Which API
 * operations accept which group is in Cloudflare's OpenAPI schema (`x-api-token-group` of each
 * operation: the tunnel configuration and token routes accept "Cloudflare Tunnel Write", "Cloudflare
 * One Connectors Write" and "Cloudflare One Connector: cloudflared Write"). Pure, no imports, so the
 * policy pack and the offline plan's mock use it too.
 */

/** Permission group ids by name. */
export const PERMISSION_GROUP_IDS = {
  "DNS Write": "4755a26eedb94da69e1066d98aa820be",
  "Zone Read": "c8fed203ed3043cba015a93ad1616f1f",
  "SSL and Certificates Write": "c03055bc037c4ea9afb9a9f104b7b721",
  "Notifications Write": "c3c847c5802d4ce3ba00e3e97b3c8555",
  "Workers R2 Storage Bucket Item Read": "6a018a9f2fc74eb6b293b0c548f38b39",
  "Workers R2 Storage Bucket Item Write": "2efd5506f9c8494dacb1fa10a3e7d5b6",
  "Cloudflare Tunnel Read": "efea2ab8357b47888938f101ae5e053f",
  "Cloudflare Tunnel Write": "c07321b023e944ff818fec44d8203567",
  "Cloudflare One Connectors Write": "a7030c9c98d544e092d8b099fabb1f06",
  "Cloudflare One Connector: cloudflared Write": "037b9e348b3b42d4b46ea2fcb1cfb3e7",
  "Cloudflare One Connector: WARP Write": "5b5c774a5d174ca88d046c8889648b3f",
  "Cloudflare One Networks Write": "e2980d9241cf4939bbbd74fdc43b9651",
  "Zero Trust Write": "b33f02c6f7284e05a6f20741c0bb0567",
  "Access: Apps and Policies Write": "1e13c5124ca64b72b1969a67e8829049",
  "Access: Apps and Policies Write (zone)": "959972745952452f8be2452be8cbb9f2",
  "Access: Service Tokens Write": "a1c0fec57cf94af79479a6d827fa518c",
  "Access: Organizations, Identity Providers, and Groups Write": "bfe0d8686a584fa680f4c53b5eb0de6d",
  "Access: Mutual TLS Certificates Write": "29d3afbfd4054af9accdd1118815ed05",
  "Access: Device Posture Write": "2fc1072ee6b743828db668fcb3f9dee7",
  "Access: Custom Pages Write": "4e5fd8ac327b4a358e48c66fcbeb856d",
  "Access: SSH Auditing Write": "d30c9ad8b5224e7cb8d41bcb4757effc",
} as const;

/** A permission group the table knows. */
export type PermissionGroupName = keyof typeof PERMISSION_GROUP_IDS;

/**
 * The write groups over Cloudflare Tunnel and Zero Trust. None can be limited to one tunnel or
 * application: granted on an account they reach every tunnel (and its token: `GET
 * /accounts/{id}/cfd_tunnel/{tunnel}/token`), Access application, policy and service token of the
 * account (REFERENCE.md, "Cloudflare API token permissions are not scoped to one tunnel").
 */
export const ZERO_TRUST_WRITE_GROUPS: readonly PermissionGroupName[] = [
  "Cloudflare Tunnel Write",
  "Cloudflare One Connectors Write",
  "Cloudflare One Connector: cloudflared Write",
  "Cloudflare One Connector: WARP Write",
  "Cloudflare One Networks Write",
  "Zero Trust Write",
  "Access: Apps and Policies Write",
  "Access: Apps and Policies Write (zone)",
  "Access: Service Tokens Write",
  "Access: Organizations, Identity Providers, and Groups Write",
  "Access: Mutual TLS Certificates Write",
  "Access: Device Posture Write",
  "Access: Custom Pages Write",
  "Access: SSH Auditing Write",
];

/** The name of a permission group id (undefined when the table does not know it). */
export function permissionGroupName(id: string): PermissionGroupName | undefined {
  return (Object.entries(PERMISSION_GROUP_IDS) as [PermissionGroupName, string][]).find(
    ([, v]) => v === id,
  )?.[0];
}
