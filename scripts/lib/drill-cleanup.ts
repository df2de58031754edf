/**
 * Deletes what a restore drill created and proves it is gone: the CloudNativePG Cluster, its PVCs
 * (CNPG labels them `cnpg.io/cluster=<name>` and owns them), and the PVs and Longhorn volumes
 * behind them. The `longhorn` StorageClass has `reclaimPolicy: Retain`
 * (components/storage/longhorn-values.ts), so a released PV and its `volumes.longhorn.io` (same
 * name, longhorn-manager names the volume after the PV) stay, a full copy of production, unless
 * deleted here.
 */

/** Runs kubectl with the drill's connection; resolves to stdout. */
export type Kubectl = (args: string[], input?: string) => Promise<string>;

/** Deletes the drill's cluster and volumes; `error` says what is left when something is. */
export async function cleanupDrill(
  kubectl: Kubectl,
  meta: { readonly name: string; readonly namespace: string },
  manifestYaml: string,
  longhornNamespace: string,
  log: (line: string) => void,
): Promise<{ volumes: string[]; error?: string }> {
  const selector = `cnpg.io/cluster=${meta.name}`;
  let volumes: string[] = [];
  try {
    // Before the Cluster goes: its PVCs name the volumes.
    volumes = (
      await kubectl([
        "get",
        "pvc",
        "-n",
        meta.namespace,
        "-l",
        selector,
        "-o",
        'jsonpath={range .items[*]}{.spec.volumeName}{"\\n"}{end}',
      ])
    )
      .split("\n")
      .map((v) => v.trim())
      .filter(Boolean);
    log(`deleting ${meta.namespace}/${meta.name} and volumes ${volumes.join(", ") || "(none)"}`);
    await kubectl(["delete", "-f", "-", "--ignore-not-found", "--wait=true"], manifestYaml);
    await kubectl([
      "delete",
      "pvc",
      "-n",
      meta.namespace,
      "-l",
      selector,
      "--ignore-not-found",
      "--wait=true",
    ]);
    for (const v of volumes) {
      await kubectl(["delete", "pv", v, "--ignore-not-found", "--wait=true"]);
      await kubectl([
        "delete",
        "volumes.longhorn.io",
        v,
        "-n",
        longhornNamespace,
        "--ignore-not-found",
        "--wait=true",
      ]);
    }
    const left: string[] = [];
    for (const v of volumes) {
      if ((await kubectl(["get", "pv", v, "--ignore-not-found", "-o", "name"])).trim()) left.push(`pv/${v}`);
      const lh = await kubectl([
        "get",
        "volumes.longhorn.io",
        v,
        "-n",
        longhornNamespace,
        "--ignore-not-found",
        "-o",
        "name",
      ]);
      if (lh.trim()) left.push(`${longhornNamespace}/volumes.longhorn.io/${v}`);
    }
    return left.length > 0
      ? { volumes, error: `still present after deletion: ${left.join(", ")}` }
      : { volumes };
  } catch (e) {
    return { volumes, error: (e as Error).message };
  }
}
