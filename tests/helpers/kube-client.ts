/**
 * A small client for the test API server: the REST path of an object from the server's own
 * discovery documents, server-side apply (PATCH application/apply-patch+yaml with a field
 * manager, as `kubectl apply --server-side` sends it), dry runs, service-account tokens
 * (TokenRequest) and SubjectAccessReviews.
 */
import { type ApiResponse, type ApiServerConnection, apiRequest } from "./kube-apiserver";

type Obj = Record<string, unknown>;

/** A resource of the server's discovery: its plural name and whether it is namespaced. */
export interface DiscoveredResource {
  readonly name: string;
  readonly namespaced: boolean;
}

/** Discovery of one server, cached per group/version. */
export class Discovery {
  private readonly cache = new Map<string, Map<string, DiscoveredResource>>();

  constructor(private readonly conn: ApiServerConnection) {}

  /** Forget what was read (after CRDs are installed). */
  reset(): void {
    this.cache.clear();
  }

  /** The resource serving `kind` in `apiVersion`; throws naming both when the server has none. */
  async resource(apiVersion: string, kind: string): Promise<DiscoveredResource> {
    let kinds = this.cache.get(apiVersion);
    if (!kinds) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const res = await apiRequest(this.conn, "GET", path);
      if (res.status !== 200)
        throw new Error(`discovery of ${apiVersion}: ${res.status} ${res.text.slice(0, 300)}`);
      kinds = new Map();
      for (const r of (res.body.resources ?? []) as { name: string; kind: string; namespaced: boolean }[]) {
        if (!r.name.includes("/")) kinds.set(r.kind, { name: r.name, namespaced: r.namespaced });
      }
      this.cache.set(apiVersion, kinds);
    }
    const found = kinds.get(kind);
    if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return found;
  }

  /** The REST path of `object` (its name included), with its namespace when the kind is namespaced. */
  async path(object: Obj, namespace?: string): Promise<string> {
    const apiVersion = String(object.apiVersion);
    const resource = await this.resource(apiVersion, String(object.kind));
    const metadata = (object.metadata ?? {}) as Obj;
    const ns = (metadata.namespace as string | undefined) ?? namespace ?? "default";
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const scope = resource.namespaced ? `/namespaces/${ns}` : "";
    return `${base}${scope}/${resource.name}/${encodeURIComponent(String(metadata.name))}`;
  }
}

/** Options of {@link apply}. */
export interface ApplyOptions {
  /** `dryRun=All`: admission and validation run, nothing is stored. */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly token?: string;
}

/**
 * Server-side apply of `object` as `kubectl apply --server-side --force-conflicts` sends it
 * (k8s.io/apiserver v0.34.4 pkg/endpoints/handlers/patch.go 500-527 applyPatchToCurrentObject:
 * the field manager applies with `force`; fieldValidation=Strict turns unknown or duplicate
 * fields into a 400, kubectl's default validation).
 */
export async function apply(
  conn: ApiServerConnection,
  discovery: Discovery,
  object: Obj,
  options: ApplyOptions = {},
): Promise<ApiResponse> {
  const query = new URLSearchParams({
    fieldManager: options.fieldManager ?? "enclii-infra",
    force: "true",
    fieldValidation: "Strict",
  });
  if (options.dryRun) query.set("dryRun", "All");
  const path = await discovery.path(object);
  return apiRequest(conn, "PATCH", `${path}?${query}`, object, {
    contentType: "application/apply-patch+yaml",
    ...(options.token ? { token: options.token } : {}),
  });
}

/** Creates `object` (POST to its collection), optionally as a dry run. */
export async function create(
  conn: ApiServerConnection,
  discovery: Discovery,
  object: Obj,
  options: { dryRun?: boolean; token?: string } = {},
): Promise<ApiResponse> {
  const path = await discovery.path(object);
  const collection = path.slice(0, path.lastIndexOf("/"));
  const query = new URLSearchParams({ fieldValidation: "Strict" });
  if (options.dryRun) query.set("dryRun", "All");
  return apiRequest(
    conn,
    "POST",
    `${collection}?${query}`,
    object,
    options.token ? { token: options.token } : {},
  );
}

/** The message of a refused request (the Status object's message), or the raw text. */
export function statusMessage(res: ApiResponse): string {
  return typeof res.body.message === "string" ? res.body.message : res.text;
}

/** A token of a ServiceAccount (TokenRequest, authentication.k8s.io/v1), valid for an hour. */
export async function serviceAccountToken(
  conn: ApiServerConnection,
  namespace: string,
  name: string,
): Promise<string> {
  const res = await apiRequest(
    conn,
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 3600 },
    },
  );
  if (res.status !== 201)
    throw new Error(`token of ${namespace}/${name}: ${res.status} ${statusMessage(res)}`);
  return String((res.body.status as Obj).token);
}

/** What one SubjectAccessReview asks. */
export interface AccessQuestion {
  readonly verb: string;
  readonly group?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * Whether the ServiceAccount `namespace/name` may do `q`, as the API server's authorizers decide
 * (SubjectAccessReview, authorization.k8s.io/v1; the groups are those a ServiceAccount token
 * authenticates with: k8s.io/apiserver v0.34.4 pkg/authentication/serviceaccount/util.go
 * MakeGroupNames plus system:authenticated).
 */
export async function serviceAccountCan(
  conn: ApiServerConnection,
  sa: { namespace: string; name: string },
  q: AccessQuestion,
): Promise<boolean> {
  const res = await apiRequest(conn, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`, "system:authenticated"],
      resourceAttributes: {
        verb: q.verb,
        group: q.group ?? "",
        resource: q.resource,
        ...(q.subresource ? { subresource: q.subresource } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.name ? { name: q.name } : {}),
      },
    },
  });
  if (res.status !== 201) throw new Error(`SubjectAccessReview: ${res.status} ${statusMessage(res)}`);
  return (res.body.status as { allowed?: boolean }).allowed === true;
}
