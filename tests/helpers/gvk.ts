/**
 * The provider's reading of a Kubernetes type token, written from pulumi-kubernetes
 * `provider/pkg/provider/provider.go` `gvkFromURN` (lines 2710-2733 at commit 94977969, the
 * `coreGroup = "core"` constant at line 104): the token `<package>:<module>:<Kind>` must be of the
 * `kubernetes` package, its module split on "/" must give exactly a group and a version, and the
 * group `core` stands for the core group (""). Anything else fails Check with "apiVersion does not
 * have both a group and a version".
 */

/** The group, version and kind a type token names, as the provider parses it. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Parses `type` as gvkFromURN does; returns the provider's error message when it would fail. */
export function gvkFromType(type: string): GroupVersionKind | { readonly error: string } {
  const [pkg, module = "", kind = ""] = type.split(":");
  if (pkg !== "kubernetes") return { error: `unrecognized resource type: "${type}" for this provider` };
  const gv = module.split("/");
  if (gv.length !== 2) return { error: `apiVersion does not have both a group and a version: "${module}"` };
  const [group = "", version = ""] = gv;
  return { group: group === "core" ? "" : group, version, kind };
}

/** The apiVersion a parsed GVK stands for (`v1` for the core group). */
export function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
}
