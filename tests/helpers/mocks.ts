/**
 * Shared mock helpers for component tests: the same mock runtime and realistic outputs the
 * offline plan uses. Start the runtime first, then `await import()` the component module.
 */
export { MOCK_INVOKES, mockInvoke, mockOutputs } from "../../scripts/lib/mock-outputs";
export {
  outputValue,
  plainValue,
  type RecordedResource,
  Recorder,
  SECRET,
  settle,
  startMockRuntime,
} from "../../scripts/lib/mock-runtime";

/** Starts the mock runtime for a component test of project `enclii-infra`, stack `test`. */
export async function startComponentMocks(config: Record<string, string> = {}) {
  const { startMockRuntime } = await import("../../scripts/lib/mock-runtime");
  return startMockRuntime({ project: "enclii-infra", stack: "test", config });
}
