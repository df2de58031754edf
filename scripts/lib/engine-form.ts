/**
 * Property values in the form the Pulumi engine sends them to a policy pack, made from the form
 * the SDK sends them to the engine (what the mock monitor receives).
 *
 * The engine marshals `Analyze` and `AnalyzeStack` properties with
 * `MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true}` (pulumi/pulumi
 * pkg/resource/plugin/analyzer_plugin.go at 1b594989, lines 306-307 and 350-351), so
 * (sdk/go/common/resource/plugin/rpc.go at 1b594989, MarshalPropertyValue lines 126-292):
 * - a secret stays a secret object (`{sig: secret, value}`); the pack's SDK unwraps it, so every
 *   policy sees it in clear (pulumi-policy sdk/nodejs/policy/deserialize.ts, `specialSecretSig`
 *   with `proxySecrets` false, as Analyze and AnalyzeStack call it in server.ts);
 * - an unknown stays the unknown sentinel string; the pack's proxy throws on reading it and the
 *   SDK reports the policy as "can't run ... during preview", advisory (server.ts, UnknownValueError);
 * - a resource reference becomes its ID (custom resources; unknown while the ID is) or its URN
 *   (components), since KeepResources is false (rpc.go lines 264-273);
 * - an output value becomes its value, unknown or secret (KeepOutputValues false, lines 199-210);
 * - top-level keys starting with `__` are left out (rpc.go lines 104-108), e.g. a dynamic
 *   resource's serialized `__provider`.
 */

/** Property values of one resource. */
export type Props = Record<string, unknown>;

/** `specialSigKey` and the signatures (pulumi/pulumi sdk/nodejs/runtime/rpc.ts). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The sentinel of an unknown value (rpc.go `UnknownStringValue`; the SDK sends every unknown as it). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A secret as the engine marshals it. */
export function secretValue(value: unknown): Props {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Whether `value` is a secret object as the engine marshals it. */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Props)[SIG_KEY] === SECRET_SIG;
}

/** Result of {@link engineProperties}: `special` is false when the values need no conversion. */
export interface EngineForm {
  readonly value: Props;
  /** Whether any secret, unknown, resource reference, output value or internal key was found. */
  readonly special: boolean;
}

/** One value as the engine marshals it for the pack; `found` is set when something was converted. */
function engineValue(value: unknown, found: { special: boolean }): unknown {
  if (value === UNKNOWN_VALUE) {
    found.special = true;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => engineValue(v, found));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Props;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      found.special = true;
      return secretValue(engineValue(obj.value, found));
    case RESOURCE_SIG: {
      found.special = true;
      if (!("id" in obj)) return obj.urn;
      return obj.id === "" || obj.id === undefined ? UNKNOWN_VALUE : obj.id;
    }
    case OUTPUT_SIG: {
      found.special = true;
      if (!("value" in obj)) return UNKNOWN_VALUE;
      const inner = engineValue(obj.value, found);
      return obj.secret === true ? secretValue(inner) : inner;
    }
    case undefined: {
      const out: Props = {};
      for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = engineValue(v, found);
      return out;
    }
    default:
      // Assets and archives pass through as they are (the pack's SDK makes asset objects of them).
      found.special = true;
      return obj;
  }
}

/** The properties of one resource as the engine sends them to the pack (internal keys left out). */
export function engineProperties(serialized: Props): EngineForm {
  const found = { special: false };
  const value: Props = {};
  for (const [k, v] of Object.entries(serialized)) {
    if (v === undefined) continue;
    if (k.startsWith("__")) {
      found.special = true;
      continue;
    }
    value[k] = engineValue(v, found);
  }
  return { value, special: found.special };
}

/** Whether two plain JSON values are equal (objects by keys, arrays by position). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a as Props);
  if (ka.length !== Object.keys(b as Props).length) return false;
  return ka.every((k) => jsonEqual((a as Props)[k], (b as Props)[k]));
}

/**
 * The keys of `outputs` that differ from `inputs`, for storing a resource's outputs as its inputs
 * plus what the provider added or changed (most outputs are their inputs).
 */
export function outputExtras(inputs: Props, outputs: Props): Props | undefined {
  let extras: Props | undefined;
  for (const [k, v] of Object.entries(outputs)) {
    if (k in inputs && jsonEqual(inputs[k], v)) continue;
    extras ??= {};
    extras[k] = v;
  }
  return extras;
}
