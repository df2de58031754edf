/**
 * Renders the configuration reference (every key, type, default, description) from the zod
 * schema itself, so the README's table cannot drift from what the program accepts.
 */
import type { z } from "zod";
import { type ZodDef, defOf as zodDefOf } from "../../stacks/config";
import { ENVIRONMENTS, stackSchema } from "../../stacks/config-schema";

type Def = ZodDef & {
  entries?: Record<string, string>;
  values?: unknown[];
  valueType?: z.ZodType;
  defaultValue?: unknown;
};
const defOf = (s: z.ZodType): Def => zodDefOf(s) as Def;
const descriptionOf = (s: z.ZodType): string | undefined =>
  (s as unknown as { description?: string }).description;

/** What each configuration section is for (objects carry no description in the schema). */
const SECTION_DESCRIPTIONS: Record<string, string> = {
  cloudflare: "Cloudflare account and zone; the API token is the secret `cloudflare:apiToken`.",
  "cloudflare.r2": "R2 buckets (backups, artifacts, audit archive).",
  "cloudflare.hsts": "HTTP Strict Transport Security on the zone.",
  k3s: "The k3s cluster on the nodes.",
  "k3s.etcdSnapshots": "Embedded etcd snapshots, uploaded to the backups bucket.",
  "k3s.upgrades": "k3s upgrades through a system-upgrade-controller Plan.",
  access: "Who may administer the machines and admin UIs.",
  storage: "Longhorn volumes, snapshots and backups.",
  "storage.snapshot": "Longhorn RecurringJob for local snapshots (cron, snapshots kept).",
  "storage.backup": "Longhorn RecurringJob for backups to R2 (cron, backups kept).",
  backups: "Retention of the R2 prefixes and how fresh backups must be.",
  postgres: "The shared CloudNativePG cluster.",
  "postgres.resources": "Requests and limits of each Postgres instance.",
  redis: "The shared Redis.",
  "redis.resources": "Requests and limits of each Redis pod.",
  janua: "The shared Janua auth service.",
  controlPlane: "The Enclii control plane (switchyard-api and switchyard-ui).",
  monitoring: "kube-prometheus-stack, alert rules and Grafana.",
  "monitoring.alertEmail": "Alertmanager email receiver.",
  budget: "Monthly budget checked against the cost estimate.",
};

/** One documented key. */
export interface ReferenceRow {
  readonly key: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaults: Record<string, string>;
  readonly description: string;
}

interface Unwrapped {
  readonly schema: z.ZodType;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  readonly description?: string;
}

function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema;
  let optional = false;
  let defaultValue: unknown;
  let description = descriptionOf(schema);
  for (;;) {
    const def = defOf(current);
    if (def.type === "default") {
      optional = true;
      defaultValue = def.defaultValue;
    } else if (def.type === "optional" || def.type === "prefault") {
      optional = true;
    } else {
      break;
    }
    current = def.innerType as z.ZodType;
    description = description ?? descriptionOf(current);
  }
  return { schema: current, optional, defaultValue, description };
}

function typeName(schema: z.ZodType): string {
  const def = defOf(schema);
  switch (def.type) {
    case "enum":
      return Object.values(def.entries ?? {})
        .map((v) => `\`${v}\``)
        .join(" \\| ");
    case "literal":
      return (def.values ?? []).map((v) => `\`${String(v)}\``).join(" \\| ");
    case "array":
      return `${typeName(unwrap(def.element as z.ZodType).schema)}[]`;
    case "record":
      return `map of ${typeName(unwrap(def.valueType as z.ZodType).schema)}`;
    case "object":
      return "object";
    default:
      return def.type;
  }
}

function formatDefault(value: unknown): string {
  if (value === undefined) return "";
  return `\`${JSON.stringify(value)}\``;
}

function walk(perEnv: Record<string, z.ZodType>, path: string, rows: ReferenceRow[], note = ""): void {
  const first = Object.values(perEnv)[0] as z.ZodType;
  const u = unwrap(first);
  const def = defOf(u.schema);
  const defaults = Object.fromEntries(
    Object.entries(perEnv).map(([env, s]) => [env, formatDefault(unwrap(s).defaultValue)]),
  );
  const childOf = (pick: (s: z.ZodType) => z.ZodType | undefined) =>
    Object.fromEntries(Object.entries(perEnv).map(([env, s]) => [env, pick(unwrap(s).schema) as z.ZodType]));

  if (def.type === "object" && path !== "") {
    const description = u.description ?? SECTION_DESCRIPTIONS[path] ?? "";
    rows.push({
      key: path,
      type: "object",
      required: !u.optional,
      defaults,
      description: `${note}${description}`,
    });
  }
  if (def.type === "object") {
    for (const key of Object.keys(def.shape ?? {})) {
      walk(
        childOf((s) => defOf(s).shape?.[key]),
        path ? `${path}.${key}` : key,
        rows,
      );
    }
    return;
  }
  if (def.type === "array") {
    const element = unwrap(def.element as z.ZodType).schema;
    const elementDef = defOf(element);
    if (elementDef.type === "object" || elementDef.type === "union") {
      rows.push({
        key: path,
        type: "list",
        required: !u.optional,
        defaults,
        description: u.description ?? "",
      });
      const elements = childOf((s) => unwrap(defOf(s).element as z.ZodType).schema);
      if (elementDef.type === "union") {
        walk(elements, `${path}[]`, rows);
        return;
      }
      const shape = defOf(element).shape ?? {};
      for (const key of Object.keys(shape)) {
        walk(
          Object.fromEntries(
            Object.entries(elements).map(([env, s]) => [env, defOf(s).shape?.[key] as z.ZodType]),
          ),
          `${path}[].${key}`,
          rows,
        );
      }
      return;
    }
  }
  if (def.type === "union") {
    const options = def.options ?? [];
    const keysOf = (o: z.ZodType) => Object.keys(defOf(o).shape ?? {});
    const kinds = options.map((o) => String(defOf(defOf(o).shape?.kind as z.ZodType).values?.[0]));
    const common = keysOf(options[0] as z.ZodType).filter((k) => options.every((o) => keysOf(o).includes(k)));
    rows.push({
      key: `${path}.kind`,
      type: kinds.map((k) => `\`${k}\``).join(" \\| "),
      required: true,
      defaults: {},
      description: "Which kind of node; the keys marked with a kind apply to that kind only.",
    });
    options.forEach((option, i) => {
      for (const key of keysOf(option)) {
        if (key === "kind" || (i > 0 && common.includes(key))) continue;
        walk(
          childOf((s) => defOf(defOf(s).options?.[i] as z.ZodType).shape?.[key]),
          `${path}.${key}`,
          rows,
          common.includes(key) ? "" : `(${kinds[i]}) `,
        );
      }
    });
    return;
  }
  rows.push({
    key: path,
    type: typeName(u.schema),
    required: !u.optional,
    defaults,
    description: `${note}${u.description ?? ""}`,
  });
}

/** Every documented key of the stack configuration, in schema order. */
export function referenceRows(): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const perEnv = Object.fromEntries(ENVIRONMENTS.map((env) => [env, stackSchema(env) as z.ZodType]));
  walk(perEnv, "", rows);
  return rows;
}

/** The reference as a Markdown table. */
export function renderConfigReference(): string {
  const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "| key (`enclii-infra:`...) | type | required | default (production) | default (staging) | description |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of referenceRows()) {
    lines.push(
      `| \`${row.key}\` | ${row.type} | ${row.required ? "yes" : ""} | ${row.defaults.production ?? ""} | ${
        row.defaults.staging ?? ""
      } | ${escapeCell(row.description)} |`,
    );
  }
  return lines.join("\n");
}
