/**
 * The organization routes of the fake Janua (janua-server.ts), following madfam-org/janua at
 * d181ef412389a9dc58396cd262927e4060ef8410: apps/api/app/routers/v1/organizations.py (the owner's
 * routes) and admin.py (the admin list and delete).
 */
import {
  type Answer,
  httpError,
  type JanuaState,
  type Json,
  paging,
  parseUuid,
  validationError,
} from "./janua-model";

/** What the routes need of the fake. */
export interface OrganizationContext {
  readonly state: JanuaState;
  readonly admin: { readonly id: string; readonly email: string };
  /** Whether a delete really deletes (upstream it does not: admin.py 820). */
  readonly deleteCommits: boolean;
}

/** organizations.py 232-496. No admin bypass: owner or member only (158-229). */
export function organizationRoute(
  ctx: OrganizationContext,
  method: string,
  segment: string,
  body: Json,
  user: { id: string },
): Answer {
  if (segment === "") {
    if (method !== "POST") return httpError(405, "Method Not Allowed");
    // OrganizationCreateRequest (37-48).
    const slug = String(body.slug ?? "");
    if (!/^[a-z0-9-]+$/.test(slug) || slug.length > 100) {
      return validationError([
        {
          field: "body.slug",
          message: "String should match pattern '^[a-z0-9-]+$'",
          type: "string_pattern_mismatch",
        },
      ]);
    }
    if (typeof body.name !== "string" || body.name.length < 1 || body.name.length > 200) {
      return validationError([{ field: "body.name", message: "Field required", type: "missing" }]);
    }
    // 242-247: a taken slug is 400.
    if ([...ctx.state.organizations.values()].some((o) => o.slug === slug))
      return httpError(400, "Organization slug already exists");
    // 286-302: 200 (no status_code on the route).
    return [200, response(ctx.state.createOrganization(body, ctx.admin), user.id)];
  }
  const id = parseUuid(segment);
  if (!id) return httpError(400, "Invalid organization ID");
  const org = ctx.state.organizations.get(id);
  if (!org) return httpError(404, "Organization not found");
  if (method === "DELETE") {
    // 473-496: owner only, and (as admin.py 820) the unawaited delete leaves it in place.
    if (org.owner_id !== user.id) return httpError(403, "Only owner can delete organization");
    if (ctx.deleteCommits) ctx.state.organizations.delete(id);
    return [200, { message: "Organization deleted successfully" }];
  }
  // 209-227: the owner passes; nobody else here is a member.
  if (org.owner_id !== user.id) return httpError(403, "Not a member of this organization");
  if (method === "GET") return [200, response(org, user.id)];
  if (method === "PATCH") {
    // 406-470: fields that are not null are applied.
    for (const f of ["name", "description", "logo_url", "billing_email", "settings"]) {
      if (body[f] !== undefined && body[f] !== null) org[f] = body[f];
    }
    org.updated_at = new Date().toISOString();
    return [200, response(org, user.id)];
  }
  return httpError(405, "Method Not Allowed");
}

function response(org: Json, userId: string): Json {
  return { ...org, is_owner: org.owner_id === userId, user_role: null };
}

/** admin.py 734-823: admins only (180-183). */
export function adminOrganizationRoute(
  ctx: OrganizationContext,
  method: string,
  segment: string | undefined,
  url: URL,
  user: { isAdmin: boolean },
): Answer {
  if (!user.isAdmin) return httpError(403, "Admin access required");
  if (segment === undefined) {
    if (method !== "GET") return httpError(405, "Method Not Allowed");
    const paged = paging(url);
    if (Array.isArray(paged)) return paged;
    const { page, perPage } = paged;
    // 750-757: search matches name, slug or the owner's email, case-insensitively.
    const search = (url.searchParams.get("search") ?? "").toLowerCase();
    const owners = new Map([[ctx.admin.id, ctx.admin.email]]);
    const matching = [...ctx.state.organizations.values()].filter((o) => {
      const owner = owners.get(String(o.owner_id)) ?? "someone@else.example";
      return !search || [o.name, o.slug, owner].some((v) => String(v).toLowerCase().includes(search));
    });
    // 762-799: offset paging, OrganizationAdminResponse (95-107), a bare JSON array.
    const slice = matching.slice((page - 1) * perPage, page * perPage).map((o) => ({
      id: o.id,
      name: o.name,
      slug: o.slug,
      owner_id: o.owner_id,
      owner_email: owners.get(String(o.owner_id)) ?? "someone@else.example",
      billing_plan: o.billing_plan,
      billing_email: o.billing_email,
      members_count: o.member_count,
      created_at: o.created_at,
      updated_at: o.updated_at,
    }));
    return [200, slice];
  }
  if (method !== "DELETE") return httpError(405, "Method Not Allowed");
  const id = parseUuid(segment);
  if (!id) return httpError(400, "Invalid organization ID");
  if (!ctx.state.organizations.has(id)) return httpError(404, "Organization not found");
  // 819-823: `db.delete(org)` is a coroutine never awaited: the commit deletes nothing.
  if (ctx.deleteCommits) ctx.state.organizations.delete(id);
  return [200, { message: "Organization deleted successfully" }];
}
