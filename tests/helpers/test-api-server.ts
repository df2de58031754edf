/**
 * The shared test API server, seen from a test file of the `apiserver` project
 * (tests/apiserver/): `requireApiServer(ctx)` returns it, or skips the test with the build
 * command (fails instead under CI=true), like tests/helpers/binaries.ts does for Debian binaries.
 */
import { inject } from "vitest";
import type { ApiServerContext } from "./kube-apiserver-setup";

export type ReadyApiServer = Exclude<ApiServerContext, { missing: string }>;

/** The server, or a skip (a failure under CI=true) naming what is missing. */
export function requireApiServer(ctx: { skip(note?: string): void }): ReadyApiServer {
  const api = inject("apiServer");
  if (api === undefined)
    throw new Error("no apiServer provided: run this file in the apiserver vitest project");
  if ("missing" in api) {
    if (process.env.CI === "true") throw new Error(api.missing);
    ctx.skip(api.missing);
  }
  return api as ReadyApiServer;
}

/** The server when it is running (for beforeAll hooks, which cannot skip); undefined otherwise. */
export function apiServerIfReady(): ReadyApiServer | undefined {
  const api = inject("apiServer");
  return api && !("missing" in api) ? api : undefined;
}
