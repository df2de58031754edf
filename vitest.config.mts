import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own process: the Pulumi runtime keeps global state (mocks, config).
    pool: "forks",
    isolate: true,
    reporters: ["default"],
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node 20
    // rejects; inlined, Vite resolves the import.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
