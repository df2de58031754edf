/**
 * What a model of a chart renders, and helpers to write one. A model is a transcription of the
 * chart's workload templates at the pinned version (each cites its files), applied to the values
 * the program passes: the pod templates (images, resources, security contexts, probes, host
 * settings) and the objects a stack policy looks for. It leaves out what no policy reads.
 */

// biome-ignore lint/suspicious/noExplicitAny: Helm values and manifests are untyped JSON
export type Obj = Record<string, any>;

/** The release a chart is rendered for. */
export interface Release {
  /** The release name (the Chart resource's `name` input, else its resource name). */
  readonly name: string;
  readonly namespace: string;
}

/** A model of one chart at one version. */
export interface ChartModel {
  readonly chart: string;
  /** The chart version the transcription follows (see each model for the files read). */
  readonly version: string;
  /** The objects the chart renders for `values` (hooks excluded: helm.v4.Chart drops them). */
  readonly render: (release: Release, values: Obj) => Obj[];
}

/** The value at a dotted path, or `fallback`. */
export function at<T>(values: Obj, path: string, fallback: T): T {
  let v: unknown = values;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return fallback;
    v = (v as Obj)[key];
  }
  return (v ?? fallback) as T;
}

/** Helm's values merge: maps merge key by key, anything else (lists included) replaces. */
export function merge(base: Obj, over: Obj | undefined): Obj {
  if (!over) return base;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] =
      v !== null &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      typeof base[k] === "object" &&
      !Array.isArray(base[k])
        ? merge(base[k] ?? {}, v)
        : v;
  }
  return out;
}

/** `{{- with x }}`: the key only when the value is non-empty. */
export function withValue(key: string, value: unknown): Obj {
  if (value === undefined || value === null || value === false || value === "") return {};
  if (typeof value === "object" && Object.keys(value as Obj).length === 0) return {};
  return { [key]: value };
}

/** A workload object with one pod template. */
export function workload(
  kind: "Deployment" | "DaemonSet" | "StatefulSet",
  name: string,
  namespace: string,
  labels: Obj,
  pod: Obj,
  replicas?: number,
): Obj {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace, labels },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: pod },
    },
  };
}
