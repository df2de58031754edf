/**
 * Kubernetes objects from recorded resources: what the program would send to the API server.
 */
import type { Props } from "./mock-outputs";
import { type RecordedResource, SECRET } from "./mock-runtime";

/** A Kubernetes object declared by the program, with the file it is written to. */
export interface Manifest {
  readonly urn: string;
  /** `manifests/<namespace or _cluster>/<Kind>-<name>.yaml`, relative to the plan directory. */
  readonly path: string;
  readonly object: Props;
}

/** True for resource types that are one Kubernetes object (not providers, not Helm charts). */
export function isKubernetesObject(resource: RecordedResource): boolean {
  if (!resource.custom || !resource.type.startsWith("kubernetes:")) return false;
  const { apiVersion, kind } = resource.inputs;
  return (
    typeof apiVersion === "string" && typeof kind === "string" && !resource.type.startsWith("kubernetes:helm")
  );
}

/**
 * Secret data never appears, whether or not the component marked it secret. The key names stay
 * (from the revealed inputs when the whole field was a secret) so the manifest keeps its shape.
 */
function redactSecretData(resource: RecordedResource): Props {
  const object = resource.inputs;
  if (object.kind !== "Secret") return object;
  const redacted: Props = { ...object };
  for (const field of ["data", "stringData"]) {
    const data = object[field] ?? undefined;
    const raw = resource.rawInputs[field];
    const keysOf = raw && typeof raw === "object" ? raw : data && typeof data === "object" ? data : undefined;
    if (keysOf) redacted[field] = Object.fromEntries(Object.keys(keysOf).map((k) => [k, SECRET]));
  }
  return redacted;
}

const safeSegment = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

/** The manifests of every Kubernetes object among the recorded resources, in registration order. */
export function collectManifests(resources: readonly RecordedResource[]): Manifest[] {
  const manifests: Manifest[] = [];
  const seen = new Set<string>();
  for (const resource of resources.filter(isKubernetesObject)) {
    const object = redactSecretData(resource);
    const metadata = (object.metadata ?? {}) as Props;
    const name = typeof metadata.name === "string" ? metadata.name : resource.name;
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "_cluster";
    let path = `manifests/${safeSegment(namespace)}/${safeSegment(String(object.kind))}-${safeSegment(name)}.yaml`;
    if (seen.has(path)) path = path.replace(/\.yaml$/, `-${safeSegment(resource.name)}.yaml`);
    seen.add(path);
    manifests.push({ urn: resource.urn, path, object });
  }
  return manifests;
}
