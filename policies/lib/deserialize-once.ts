/**
 * Deserialize each resource once per request instead of once per policy.
 *
 * The SDK turns a resource's properties from protobuf into JavaScript again for every policy:
 * `Analyze` calls `deserializeProperties(req.getProperties(), false)` inside its loop over the
 * resource policies, `AnalyzeStack` inside its loop over the stack policies for every resource, and
 * both do the same for the provider (pulumi-policy v1.21.0 server.js lines 255 and 333-334,
 * getProviderResource line 501). On a 1,000-tenant plan that repeated conversion is most of the
 * pack's time. The protobuf message hands back the same `Struct` object on every
 * `getProperties()` call (google-protobuf `getWrapperField` caches it), so the deserialized value
 * can be kept per `Struct` and handed to every policy, each behind its own unknown-checking proxy
 * (server.js wraps it with `unknownCheckingProxy` after the call, so unknown values still throw).
 * Policies only read their arguments; none may write to them.
 *
 * Only for the SDK version whose internals this follows; any other version runs unchanged.
 * `ENCLII_POLICY_DESERIALIZE_EVERY_TIME=1` turns it off (the tests compare both).
 */

// The SDK's internal modules have no type declarations for these members.
// biome-ignore lint/suspicious/noExplicitAny: SDK internals
type Any = any;

const FOLLOWED_VERSION = "v1.21.0";

/** Installs the memo; returns whether it did. */
export function deserializeOnce(): boolean {
  if (process.env.ENCLII_POLICY_DESERIALIZE_EVERY_TIME === "1") return false;
  const version = (require("@pulumi/policy/package.json") as { version: string }).version;
  if (version !== FOLLOWED_VERSION) return false;
  const module = require("@pulumi/policy/deserialize") as Any;
  const original = module.deserializeProperties as (struct: object, proxySecrets: boolean) => unknown;
  const memo = new WeakMap<object, unknown>();
  module.deserializeProperties = (struct: object, proxySecrets: boolean): unknown => {
    // Remediations get secrets as Secret objects and write back: never shared.
    if (proxySecrets || struct === null || typeof struct !== "object") return original(struct, proxySecrets);
    let value = memo.get(struct);
    if (value === undefined) {
      value = original(struct, false);
      memo.set(struct, value);
    }
    return value;
  };
  return true;
}
