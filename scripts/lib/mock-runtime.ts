/**
 * The Pulumi mock runtime with a recorder: every registered resource with its URN, parent,
 * dependencies, protect flag and inputs (secrets as "[secret]"), taken from the real register
 * requests the SDK sends to the (mock) monitor. Used by the offline plan and by the tests.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { engineProperties, outputExtras } from "./engine-form";
import { mockInvoke, mockOutputs, type Props } from "./mock-outputs";

/** The placeholder that stands in for every secret value in recorded data. */
export const SECRET = "[secret]";
/** The placeholder for a value that is unknown during a preview. */
export const UNKNOWN = "[unknown]";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** One resource as the engine received it. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly custom: boolean;
  readonly dependencies: string[];
  readonly protect: boolean;
  readonly provider: string | null;
  /** `customTimeouts` as the engine receives them (Go durations, "" when unset); absent when none. */
  readonly customTimeouts?: { readonly create: string; readonly update: string; readonly delete: string };
  /** Inputs with secrets replaced by "[secret]" and resource references by their URN. */
  readonly inputs: Props;
  /**
   * A hash of each secret input, by its property path (`stringData.password`, `triggers[0]`), so a
   * changed secret shows as changed while its value never appears; absent when no input is secret.
   */
  readonly secretHashes?: Readonly<Record<string, string>>;
  /** The `ignoreChanges` option as the engine receives it; absent when empty. */
  readonly ignoreChanges?: readonly string[];
  /** The `deleteBeforeReplace` option; absent when not set. */
  readonly deleteBeforeReplace?: boolean;
  /** The `aliases` option: each an old URN or a spec of what changed; absent when none. */
  readonly aliases?: readonly RecordedAlias[];
  /** Inputs with secret values kept in clear, for assertions in tests only. */
  readonly rawInputs: Props;
  /** Whether the SDK registered it as a remote component (a provider-side component such as a v4 Chart). */
  readonly remote?: boolean;
  /**
   * The inputs as the engine sends them to a policy pack (secrets as secret objects, unknowns as
   * the sentinel, resource references as IDs or URNs; scripts/lib/engine-form.ts); absent when
   * they equal `inputs`. Never written to a plan.
   */
  readonly engineInputs?: Props;
  /**
   * A custom resource's outputs where they differ from its inputs, in the engine's form, as the
   * (mock) provider returned them; absent when the outputs are the inputs. Never written to a plan.
   */
  readonly outputExtras?: Props;
}

/** One alias as the engine receives it (pulumi/pulumi proto/pulumi/alias.proto). */
export type RecordedAlias =
  | string
  | {
      readonly name?: string;
      readonly type?: string;
      readonly stack?: string;
      readonly project?: string;
      /** The old parent's URN, or `null` for `noParent`; absent when the parent did not change. */
      readonly parentUrn?: string | null;
    };

/**
 * The hash a plan records for a secret input: SHA-256 over a fixed prefix and the value's JSON,
 * cut to 16 hex digits. It tells two values apart and nothing more; the offline plan only ever
 * holds placeholders and the mock runtime's derived values, never a real secret.
 */
export function secretHash(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return `sha256:${createHash("sha256").update(`enclii-infra plan secret\u0000${text}`).digest("hex").slice(0, 16)}`;
}

/**
 * The hash of every secret in serialized property values, by the property path the plan diff uses
 * (`a.b`, `a[0]`). The secret's revealed value is hashed, never kept.
 */
export function secretHashes(
  value: unknown,
  path = "",
  out: Record<string, string> = {},
): Record<string, string> {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      secretHashes(v, `${path}[${i}]`, out);
    });
    return out;
  }
  if (value === null || typeof value !== "object") return out;
  const obj = value as Props;
  const sig = obj[SIG_KEY];
  if (sig === SECRET_SIG || (sig === OUTPUT_SIG && obj.secret === true && "value" in obj)) {
    out[path] = secretHash(plainValue(obj.value, true));
    return out;
  }
  if (sig === OUTPUT_SIG) return "value" in obj ? secretHashes(obj.value, path, out) : out;
  if (sig !== undefined) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined && k !== "__provider") secretHashes(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

interface AliasLike {
  hasUrn(): boolean;
  getUrn(): string;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        hasParenturn(): boolean;
        getParenturn(): string;
        hasNoparent(): boolean;
        getNoparent(): boolean;
      }
    | undefined;
}

function recordAlias(alias: AliasLike): RecordedAlias {
  if (alias.hasUrn()) return alias.getUrn();
  const spec = alias.getSpec();
  if (!spec) return {};
  return {
    ...(spec.getName() ? { name: spec.getName() } : {}),
    ...(spec.getType() ? { type: spec.getType() } : {}),
    ...(spec.getStack() ? { stack: spec.getStack() } : {}),
    ...(spec.getProject() ? { project: spec.getProject() } : {}),
    ...(spec.hasParenturn() ? { parentUrn: spec.getParenturn() } : {}),
    ...(spec.hasNoparent() && spec.getNoparent() ? { parentUrn: null } : {}),
  };
}

/**
 * Turns serialized property values into plain data. `reveal` keeps secret values (tests);
 * otherwise every secret becomes "[secret]".
 */
export function plainValue(value: unknown, reveal = false): unknown {
  if (value === UNKNOWN_VALUE) return UNKNOWN;
  if (Array.isArray(value)) return value.map((v) => plainValue(v, reveal));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Props;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return reveal ? plainValue(obj.value, reveal) : SECRET;
    case RESOURCE_SIG:
      return obj.urn;
    case OUTPUT_SIG:
      if (obj.secret === true && !reveal) return SECRET;
      return "value" in obj ? plainValue(obj.value, reveal) : UNKNOWN;
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return { asset: obj.path ?? obj.uri ?? "[text]" };
    default:
      return Object.fromEntries(
        Object.entries(obj)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, plainValue(v, reveal)]),
      );
  }
}

interface StructLike {
  toJavaScript(): Props;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getObject(): StructLike | undefined;
  getRemote(): boolean;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getAliasesList(): AliasLike[];
  getAliasurnsList(): string[];
}
interface RegisterResponse {
  getUrn(): string;
  getObject(): StructLike | undefined;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): StructLike | undefined;
}
type Callback<T> = (err: Error | null, resp?: T) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: Callback<RegisterResponse>): void;
  registerResourceOutputs(req: OutputsRequest, cb: Callback<unknown>): void;
}

/** Options of {@link startMockRuntime}. */
export interface MockRuntimeOptions {
  readonly project: string;
  readonly stack: string;
  /** Full config map (`namespace:key` -> string value, objects as JSON). */
  readonly config?: Record<string, string>;
  /** Keys of `config` that are secrets. */
  readonly secretKeys?: readonly string[];
  /** Run as a preview (unknown outputs) instead of an update. @default false */
  readonly preview?: boolean;
  /**
   * Which resources keep their revealed inputs (`rawInputs`). @default all (tests); the plan
   * keeps only what it needs, which halves its memory on large stacks.
   */
  readonly keepRawInputs?: (type: string, inputs: Props) => boolean;
}

/** What the mock runtime saw. */
export class Recorder {
  readonly resources: RecordedResource[] = [];
  /** Outputs registered per URN (component and stack outputs), secrets as "[secret]". */
  readonly outputs = new Map<string, Props>();
  /** The same outputs in the engine's form (secrets revealed as secret objects), for the policy pack only. */
  readonly engineOutputs = new Map<string, Props>();

  /** Every recorded resource of `type`. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type` named `name`; throws with the candidates when missing. */
  get(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`no ${type} named ${name}; recorded: ${names.join(", ") || "none"}`);
    }
    return found;
  }

  /** The children of the resource with `urn`. */
  childrenOf(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }
}

/**
 * Installs the Pulumi mock runtime with realistic outputs and a recorder. Call before importing
 * the program or a component module.
 */
export async function startMockRuntime(options: MockRuntimeOptions): Promise<Recorder> {
  const recorder = new Recorder();
  pulumi.runtime.setAllConfig(options.config ?? {}, [...(options.secretKeys ?? [])]);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        // A preview knows only a new resource's inputs: its ID and everything the provider
        // computes (IPs, generated secrets, kubeconfigs) are unknown until it is created. The SDK
        // resolves a property the monitor leaves out, and an empty ID, as unknown during a dry run
        // (@pulumi/pulumi runtime/rpc.js resolveProperties; runtime/resource.js `resp.getId() || undefined`).
        if (options.preview && !args.id) return { id: "", state: args.inputs as Props };
        const { id, state } = mockOutputs(args.type, args.name, args.inputs as Props);
        // The mock monitor passes the import id, "" for a normal create.
        return { id: args.id || id, state };
      },
      call: (args) => mockInvoke(args.token, args.inputs as Props),
    },
    options.project,
    options.stack,
    options.preview ?? false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    register(req, (err, resp) => {
      if (!err && resp) {
        const serialized = req.getObject()?.toJavaScript() ?? {};
        // A dynamic resource carries its whole serialized provider; the plan names it instead.
        if (typeof serialized.__provider === "string")
          serialized.__provider = "[serialized dynamic provider]";
        const timeouts = req.getCustomtimeouts();
        const hashes = secretHashes(serialized);
        const ignoreChanges = req.getIgnorechangesList();
        // The SDK sends structured aliases when the monitor supports them (the mock monitor does:
        // @pulumi/pulumi runtime/resource.js prepareResource, monitorSupportsStructuredAliases).
        const aliases = [...req.getAliasesList().map(recordAlias), ...req.getAliasurnsList()];
        const engine = engineProperties(serialized);
        const extras = req.getCustom()
          ? outputExtras(engine.value, engineProperties(resp.getObject()?.toJavaScript() ?? {}).value)
          : undefined;
        recorder.resources.push({
          ...(engine.special ? { engineInputs: engine.value } : {}),
          ...(extras ? { outputExtras: extras } : {}),
          ...(req.getRemote() ? { remote: true } : {}),
          ...(Object.keys(hashes).length > 0 ? { secretHashes: hashes } : {}),
          ...(ignoreChanges.length > 0 ? { ignoreChanges: [...ignoreChanges] } : {}),
          ...(req.getDeletebeforereplacedefined()
            ? { deleteBeforeReplace: req.getDeletebeforereplace() }
            : {}),
          ...(aliases.length > 0 ? { aliases } : {}),
          ...(timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
            ? {
                customTimeouts: {
                  create: timeouts.getCreate(),
                  update: timeouts.getUpdate(),
                  delete: timeouts.getDelete(),
                },
              }
            : {}),
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || null,
          custom: req.getCustom(),
          dependencies: [...new Set(req.getDependenciesList())].sort(),
          protect: req.getProtect(),
          provider: req.getProvider() ? req.getProvider().split("::").slice(0, -1).join("::") || null : null,
          inputs: plainValue(serialized) as Props,
          rawInputs:
            (options.keepRawInputs?.(req.getType(), serialized) ?? true)
              ? (plainValue(serialized, true) as Props)
              : {},
        });
      }
      cb(err, resp);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    const outputs = req.getOutputs()?.toJavaScript() ?? {};
    recorder.outputs.set(req.getUrn(), plainValue(outputs) as Props);
    recorder.engineOutputs.set(req.getUrn(), engineProperties(outputs).value);
    registerOutputs(req, cb);
  };
  return recorder;
}

/** Resolves an Output's value under the mock runtime. */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until every outstanding resource registration has been answered. */
export async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
  await settings.waitForRPCs?.();
}
