/**
 * Validates Kubernetes objects: built-in kinds against the Kubernetes OpenAPI schemas
 * (`kubernetes-models`), cert-manager and prometheus-operator kinds against their model
 * packages, and every other custom resource against the upstream CRD schemas read from
 * `CRD_SCHEMAS_DIR` (default `../shared/crds`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

type Obj = Record<string, unknown>;
interface ModelClass {
  new (data: Obj): { validate(): void };
}

/** Folder holding the upstream CRDs. */
export function crdSchemasDir(): string {
  return resolve(process.env.CRD_SCHEMAS_DIR ?? join(__dirname, "..", "..", "..", "shared", "crds"));
}

const MODEL_PACKAGES = [
  "kubernetes-models",
  "@kubernetes-models/cert-manager",
  "@kubernetes-models/prometheus-operator",
];

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  for (const pkg of MODEL_PACKAGES) {
    try {
      const mod = require(`${pkg}/${apiVersion}`) as Record<string, ModelClass>;
      if (mod[kind]) return mod[kind];
    } catch {
      // not in this package
    }
  }
  return undefined;
}

/** Compiled CRD schemas by `group/version/Kind`. */
export class CrdSchemas {
  private readonly validators = new Map<string, ValidateFunction>();

  /** Reads every CRD in `dir`. */
  static load(dir: string): CrdSchemas {
    const schemas = new CrdSchemas();
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
        const crd = doc.toJSON() as Obj | null;
        if (crd?.kind !== "CustomResourceDefinition") continue;
        const spec = (crd as Obj).spec as { group: string; names: { kind: string }; versions: Obj[] };
        for (const version of spec.versions) {
          const schema = (version.schema as Obj | undefined)?.openAPIV3Schema;
          if (!schema) continue;
          schemas.validators.set(
            `${spec.group}/${String(version.name)}/${spec.names.kind}`,
            ajv.compile(schema as Obj),
          );
        }
      }
    }
    return schemas;
  }

  /** The validator for an apiVersion and kind, if a CRD defines it. */
  get(apiVersion: string, kind: string): ValidateFunction | undefined {
    return this.validators.get(`${apiVersion}/${kind}`);
  }

  get size(): number {
    return this.validators.size;
  }
}

/** Loads the CRD schemas, or explains why they are unavailable. */
export function loadCrdSchemas(): { schemas?: CrdSchemas; missing?: string } {
  const dir = crdSchemasDir();
  if (!existsSync(dir)) return { missing: `CRD schemas folder ${dir} does not exist (set CRD_SCHEMAS_DIR)` };
  return { schemas: CrdSchemas.load(dir) };
}

/** Validates one object; returns the problems (empty when valid). */
export function validateObject(object: Obj, crds: CrdSchemas | undefined): string[] {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const Model = modelFor(apiVersion, kind);
  if (Model) {
    try {
      new Model(object).validate();
      return [];
    } catch (e) {
      return [`${apiVersion} ${kind}: ${(e as Error).message}`];
    }
  }
  const validator = crds?.get(apiVersion, kind);
  if (!validator) {
    return crds ? [`no schema for ${apiVersion} ${kind}: not a built-in kind and no CRD defines it`] : [];
  }
  if (validator(object)) return [];
  return (validator.errors ?? []).map((e) => `${apiVersion} ${kind}: ${e.instancePath || "/"} ${e.message}`);
}

/** True when the kind needs a CRD schema (no model package covers it). */
export function needsCrd(object: Obj): boolean {
  return modelFor(String(object.apiVersion), String(object.kind)) === undefined;
}
