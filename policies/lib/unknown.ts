/**
 * Values a preview does not know. The pack's SDK hands policies proxies that throw an
 * `UnknownValueError` when a policy reads a value the engine marked unknown (pulumi-policy
 * sdk/nodejs/policy/proxy.ts, unknownCheckingProxy), and reports a policy that let it escape as
 * advisory "can't run policy ... during preview" (server.ts, makeAnalyzeRpcFun and
 * makeAnalyzeStackRpcFun). For a stack policy that means one unknown field anywhere in the stack
 * silently passes the whole stack. Stack policies therefore decide resource by resource: a
 * resource whose deciding value is unknown is reported as undecided (advisory, naming the value),
 * and every other resource is still decided at the policy's own level.
 */
import { type ReportViolation, UnknownValueError } from "@pulumi/policy";

/** The prefix of an undecided finding (the plan lists these apart from violations). */
export const UNDECIDED_PREFIX = "undecided during preview:";

/**
 * Reports a finding at `level` instead of the policy's own. The SDK's reportViolation takes an
 * object whose `enforcementLevel` overrides the policy's (pulumi-policy v1.21.0 server.js
 * makeReportViolationFun, lines 674-688: `policyInfo.enforcementLevel || enforcementLevel`); its
 * type declares only the string form.
 */
export function reportAt(
  report: ReportViolation,
  level: "advisory" | "mandatory",
  message: string,
  urn?: string,
): void {
  (report as unknown as (info: { message: string; urn?: string; enforcementLevel: string }) => void)({
    message,
    urn,
    enforcementLevel: level,
  });
}

/** Whether `e` is the SDK's error for reading an unknown value. */
export function isUnknownValue(e: unknown): boolean {
  return e instanceof UnknownValueError;
}

/**
 * Runs `read`; when it reads an unknown value, reports the resource as undecided (advisory) and
 * returns `undefined`. Other errors propagate (a bug in a policy must fail the run, not pass it).
 */
export function decide<T>(report: ReportViolation, urn: string, what: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!isUnknownValue(e)) throw e;
    reportAt(report, "advisory", `${UNDECIDED_PREFIX} ${what}: ${(e as Error).message}`, urn);
    return undefined;
  }
}

/** Runs `read`, returning `undefined` (instead of throwing) when it reads an unknown value. */
export function ifKnown<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!isUnknownValue(e)) throw e;
    return undefined;
  }
}
