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
  },
});
