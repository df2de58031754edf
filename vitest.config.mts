import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own process: the Pulumi runtime keeps global state (mocks, config).
    pool: "forks",
    isolate: true,
    reporters: ["default"],
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node 20
    // rejects; inlined, Vite resolves the import.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/**/*.test.ts"], exclude: [...configDefaults.exclude, "tests/apiserver/**"] },
      },
      {
        // Files that talk to the one test API server (etcd + kube-apiserver) its globalSetup starts;
        // it starts only when one of these files runs.
        extends: true,
        test: {
          name: "apiserver",
          include: ["tests/apiserver/**/*.test.ts"],
          globalSetup: ["tests/helpers/kube-apiserver-setup.ts"],
        },
      },
    ],
  },
});
