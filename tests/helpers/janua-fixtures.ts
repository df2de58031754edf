/**
 * Shared setup of the Janua tests: the fake Janua (janua-server.ts) started per test and stopped
 * after it, the connection the providers get, and other callers using up the sign-in window.
 */
import { afterEach, expect } from "vitest";
import type { JanuaConnection } from "../../components/auth/janua-provider";
import { FakeJanua, type JanuaServerOptions } from "./janua-server";

/** The internal API key and bootstrap admin of every fake. */
export const JANUA_KEY = "internal-key-0123456789";
export const JANUA_ADMIN = { adminEmail: "admin@enclii.dev", adminPassword: "admin-password-0123" };
/** Backoffs short enough for tests. */
export const FAST_TIMING = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 8 };

/** Registers an afterEach that stops the test's fake; `start` makes one and its connection. */
export function januaFixture(timing: JanuaConnection["timing"] = FAST_TIMING) {
  let current: FakeJanua | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return {
    /** The fake of the running test. */
    get janua(): FakeJanua {
      expect(current, "start() first").toBeDefined();
      return current as FakeJanua;
    },
    async start(options: Partial<JanuaServerOptions> = {}): Promise<JanuaConnection> {
      current = new FakeJanua({ internalApiKey: JANUA_KEY, ...JANUA_ADMIN, ...options });
      return { baseUrl: await current.start(), internalApiKey: JANUA_KEY, ...JANUA_ADMIN, timing };
    },
  };
}

/** Other callers behind the same address (the tunnel's) spend `n` sign-ins of the window. */
export async function spendSignIns(baseUrl: string, n = 5): Promise<void> {
  for (let i = 0; i < n; i++) {
    await fetch(`${baseUrl}/api/v1/auth/signin`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "someone@enclii.dev", password: "x" }),
    });
  }
}
