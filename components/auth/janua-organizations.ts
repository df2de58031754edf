/**
 * The dynamic provider of a Janua organization, following madfam-org/janua at d181ef41
 * (apps/api/app/routers/v1/organizations.py and admin.py):
 * - create `POST /api/v1/organizations/` as the bootstrap admin, who becomes the owner; 200 with
 *   the organization; a taken slug answers 400 (organizations.py 232-302); a slug is
 *   `^[a-z0-9-]+$`, 1-100 characters (37-48);
 * - read `GET /api/v1/organizations/{id}` (366-403): 400 for a non-UUID, 404 when gone, 403 for an
 *   organization the admin neither owns nor belongs to (no admin bypass, 158-229), which is then
 *   found in the admin list;
 * - update `PATCH /api/v1/organizations/{id}` in place: name, description, billing_email; a field
 *   sent as null is left as it is (406-470). The slug cannot change: a new slug is a new
 *   organization (the plan diff marks it as destroying the old one's members);
 * - find by slug in `GET /api/v1/admin/organizations` (admin.py 734-799), a JSON array paged by
 *   `page` and `per_page` (default 20, at most 100), filtered by `search`; every page is read;
 * - delete `DELETE /api/v1/admin/organizations/{id}` (admin.py 802-823). It answers 200 without
 *   deleting anything: `db.delete(org)` is not awaited on an AsyncSession (admin.py 820,
 *   app/database.py 129-143), so the provider checks and says what to do.
 */
import type * as pulumi from "@pulumi/pulumi";
import { adminRequest, isUuid, type JanuaConnection, type Json, januaError, januaStatus } from "./janua-http";

/** Bumped whenever the Janua providers change: the next `up` updates each Janua resource once. */
export const JANUA_PROVIDER_VERSION = 2;

/** Inputs of an organization. */
export interface JanuaOrganizationInputs {
  readonly connection: JanuaConnection;
  readonly name: string;
  /** `^[a-z0-9-]+$`, unique. Changing it replaces the organization. */
  readonly slug: string;
  readonly description?: string;
  readonly billingEmail?: string;
  /** {@link JANUA_PROVIDER_VERSION} when the resource was last written. */
  readonly providerVersion?: number;
}

const PER_PAGE = 100;

/** Every problem of the inputs at once, with the field and what is allowed. */
export function validateOrganization(i: JanuaOrganizationInputs): void {
  const problems: string[] = [];
  if (typeof i.slug !== "string" || !/^[a-z0-9-]{1,100}$/.test(i.slug))
    problems.push(`slug: 1-100 of a-z, 0-9 and - (got ${JSON.stringify(i.slug)})`);
  if (typeof i.name !== "string" || i.name.length < 1 || i.name.length > 200)
    problems.push(`name: 1-200 characters (got ${JSON.stringify(i.name)})`);
  if (i.description !== undefined && i.description.length > 1000)
    problems.push(`description: at most 1000 characters (got ${i.description.length})`);
  if (problems.length > 0) throw new Error(`Janua organization ${String(i.slug)}: ${problems.join("; ")}`);
}

/** Every organization the admin list holds that matches `search`, all pages. */
async function listOrganizations(conn: JanuaConnection, search: string): Promise<Json[]> {
  const all: Json[] = [];
  for (let page = 1; ; page++) {
    const query = `search=${encodeURIComponent(search)}&page=${page}&per_page=${PER_PAGE}`;
    const { body } = await adminRequest(
      conn,
      "GET",
      `/api/v1/admin/organizations?${query}`,
      `listing organizations (page ${page})`,
    );
    const items = (body.items ?? []) as Json[];
    all.push(...items);
    if (items.length < PER_PAGE) return all;
  }
}

async function findBySlug(conn: JanuaConnection, slug: string): Promise<Json | undefined> {
  return (await listOrganizations(conn, slug)).find((o) => o.slug === slug);
}

/** The live organization, or undefined when it is gone. */
async function getOrganization(conn: JanuaConnection, id: string, slug: string): Promise<Json | undefined> {
  if (!isUuid(id)) return undefined;
  try {
    return (await adminRequest(conn, "GET", `/api/v1/organizations/${id}`, `organization ${slug}`)).body;
  } catch (e) {
    if (januaStatus(e) === 404) return undefined;
    if (januaStatus(e) !== 403) throw e;
  }
  // Not the admin's own: the admin list has it (without its description).
  return (await listOrganizations(conn, slug)).find((o) => String(o.id) === id);
}

function patchBody(olds: Partial<JanuaOrganizationInputs>, news: JanuaOrganizationInputs): Json {
  const body: Json = {};
  if (olds.name !== news.name) body.name = news.name;
  // null leaves a field unchanged (organizations.py 422-431): clearing sends "".
  if ((olds.description ?? "") !== (news.description ?? "")) body.description = news.description ?? "";
  if (news.billingEmail !== undefined && olds.billingEmail !== news.billingEmail)
    body.billing_email = news.billingEmail;
  return body;
}

async function patch(conn: JanuaConnection, id: string, slug: string, body: Json, owner?: unknown) {
  if (Object.keys(body).length === 0) return;
  try {
    await adminRequest(conn, "PATCH", `/api/v1/organizations/${id}`, `organization ${slug}`, body);
  } catch (e) {
    if (januaStatus(e) === 403) {
      throw januaError(
        `Janua organization ${slug} (${id}) belongs to ${String(owner ?? "another user")}: only its owner or an admin member may change it (organizations.py 419); add the bootstrap admin as an admin member, or change it in Janua and here alike`,
        403,
      );
    }
    if (januaStatus(e) === 404) {
      throw januaError(
        `Janua organization ${slug} (${id}) no longer exists; run \`pulumi refresh\` so the next up creates it again`,
        404,
      );
    }
    throw e;
  }
}

function outs(inputs: JanuaOrganizationInputs, id: string): Json {
  return { ...inputs, organizationId: id, providerVersion: JANUA_PROVIDER_VERSION };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A Janua organization. Creating adopts an existing one with the same slug. */
export const januaOrganizationProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: JanuaOrganizationInputs) {
    validateOrganization(inputs);
    const conn = inputs.connection;
    const existing = await findBySlug(conn, inputs.slug);
    if (existing) {
      const live = await getOrganization(conn, String(existing.id), inputs.slug);
      const current = {
        name: live?.name,
        description: live?.description ?? undefined,
        billingEmail: live?.billing_email ?? undefined,
      } as Partial<JanuaOrganizationInputs>;
      await patch(conn, String(existing.id), inputs.slug, patchBody(current, inputs), existing.owner_email);
      return { id: String(existing.id), outs: outs(inputs, String(existing.id)) };
    }
    const { body } = await adminRequest(
      conn,
      "POST",
      "/api/v1/organizations/",
      `organization ${inputs.slug}`,
      {
        name: inputs.name,
        slug: inputs.slug,
        ...(inputs.description !== undefined ? { description: inputs.description } : {}),
        ...(inputs.billingEmail !== undefined ? { billing_email: inputs.billingEmail } : {}),
      },
    );
    return { id: String(body.id), outs: outs(inputs, String(body.id)) };
  },

  async read(id: string, props: JanuaOrganizationInputs & Json) {
    const org = await getOrganization(props.connection, id, props.slug);
    if (!org) return { id: "", props: {} };
    const description =
      typeof org.description === "string" && org.description !== "" ? org.description : undefined;
    return {
      id,
      props: {
        ...props,
        name: String(org.name),
        slug: String(org.slug),
        // The admin list has no description: keep the stored one then.
        description: "description" in org ? description : props.description,
        // Janua fills billing_email with the creator's address when none is given (organizations.py
        // 255): only a billing email this stack sets is compared.
        billingEmail: props.billingEmail === undefined ? undefined : (org.billing_email ?? undefined),
        organizationId: id,
      },
    };
  },

  async diff(_id: string, olds: JanuaOrganizationInputs, news: JanuaOrganizationInputs) {
    const replaces = olds.slug !== news.slug ? ["slug"] : [];
    const updates = (["name", "description", "billingEmail"] as const).filter(
      (f) => (olds[f] ?? undefined) !== (news[f] ?? undefined),
    );
    return {
      changes:
        replaces.length > 0 ||
        updates.length > 0 ||
        !same(olds.connection, news.connection) ||
        olds.providerVersion !== news.providerVersion,
      replaces,
      // The new slug is free: the new organization is created before the old one goes.
      deleteBeforeReplace: false,
    };
  },

  async update(id: string, olds: JanuaOrganizationInputs, news: JanuaOrganizationInputs) {
    validateOrganization(news);
    await patch(news.connection, id, news.slug, patchBody(olds, news));
    return { outs: outs(news, id) };
  },

  async delete(id: string, props: JanuaOrganizationInputs) {
    const conn = props.connection;
    if (!isUuid(id)) return;
    try {
      await adminRequest(conn, "DELETE", `/api/v1/admin/organizations/${id}`, `organization ${props.slug}`);
    } catch (e) {
      if (januaStatus(e) === 404) return;
      throw e;
    }
    if (await getOrganization(conn, id, props.slug)) {
      throw januaError(
        `Janua answered that organization ${props.slug} (${id}) was deleted, but it still exists: Janua's DELETE does not commit (apps/api/app/routers/v1/admin.py 820 does not await db.delete). Delete it in Janua's database (the organizations row ${id} and the rows that reference it), then run the command again`,
        409,
      );
    }
  },
};
