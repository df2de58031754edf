/**
 * Common Kubernetes labels and naming, so every object says what it is part of and who manages it.
 */

/** The name written into `app.kubernetes.io/managed-by` and `app.kubernetes.io/part-of`. */
export const MANAGED_BY = "pulumi";
export const PART_OF = "enclii";

/** Arguments of {@link commonLabels}. */
export interface LabelArgs {
  /** Application name (`app.kubernetes.io/name`), e.g. `cloudflared`. */
  readonly name: string;
  /** Role inside the application (`app.kubernetes.io/component`), e.g. `tunnel`. */
  readonly component?: string;
  /** Instance (`app.kubernetes.io/instance`); @default - the name. */
  readonly instance?: string;
  /** Version of the application (`app.kubernetes.io/version`), usually the image tag. */
  readonly version?: string;
  /** Environment label `enclii.dev/environment`. */
  readonly environment?: string;
}

/** Recommended labels (app.kubernetes.io/*) plus the platform's own. */
export function commonLabels(args: LabelArgs): Record<string, string> {
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": args.name,
    "app.kubernetes.io/instance": args.instance ?? args.name,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
  if (args.component !== undefined) labels["app.kubernetes.io/component"] = args.component;
  if (args.version !== undefined) labels["app.kubernetes.io/version"] = sanitizeLabelValue(args.version);
  if (args.environment !== undefined) labels["enclii.dev/environment"] = args.environment;
  return labels;
}

/** The subset of {@link commonLabels} that is stable across upgrades, for selectors. */
export function selectorLabels(args: Pick<LabelArgs, "name" | "instance">): Record<string, string> {
  return { "app.kubernetes.io/name": args.name, "app.kubernetes.io/instance": args.instance ?? args.name };
}

/** Makes a string a valid label value: 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends. */
export function sanitizeLabelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/**
 * Joins parts into a DNS-1123 name (lowercase, `-` separated, at most 63 characters). Longer names
 * keep a short hash of the full name so two long names never collide.
 */
export function resourceName(...parts: string[]): string {
  const joined = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (joined.length <= 63) return joined;
  let hash = 0;
  for (const ch of joined) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const suffix = hash.toString(36).slice(0, 6);
  return `${joined.slice(0, 56).replace(/-$/, "")}-${suffix}`;
}
