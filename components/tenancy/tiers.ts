/**
 * Tenant tiers: the ResourceQuota and LimitRange of each. `starter` is the upstream Enclii
 * tenant template (requests 2 CPU / 4Gi, limits 4 CPU / 8Gi, 20 pods, 10 services, 5 PVCs,
 * LimitRange default 500m / 512Mi); `growth` and `enterprise` scale it up.
 */

/** What a tier grants. CPU in cores, memory and storage in GiB. */
export interface Tier {
  readonly requests: { readonly cpu: number; readonly memoryGiB: number };
  readonly limits: { readonly cpu: number; readonly memoryGiB: number };
  readonly pods: number;
  readonly services: number;
  readonly persistentVolumeClaims: number;
  readonly storageGiB: number;
  /**
   * How many of each object the namespace may hold. The compute quota bounds what runs; these bound
   * what is stored (a Secret or ConfigMap may be close to 1 MiB in etcd), so a tenant, or the
   * control plane that writes there, cannot fill the datastore. Jobs a CronJob starts count too.
   */
  readonly objects: {
    readonly secrets: number;
    readonly configMaps: number;
    readonly jobs: number;
    readonly cronJobs: number;
  };
  /** LimitRange defaults for containers that set nothing, and the most one container may ask for. */
  readonly container: {
    readonly defaultLimit: { readonly cpu: string; readonly memory: string };
    readonly defaultRequest: { readonly cpu: string; readonly memory: string };
    readonly max: { readonly cpu: string; readonly memory: string };
  };
}

export const TIERS = {
  starter: {
    requests: { cpu: 2, memoryGiB: 4 },
    limits: { cpu: 4, memoryGiB: 8 },
    pods: 20,
    services: 10,
    persistentVolumeClaims: 5,
    storageGiB: 20,
    objects: { secrets: 50, configMaps: 50, jobs: 30, cronJobs: 10 },
    container: {
      defaultLimit: { cpu: "500m", memory: "512Mi" },
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      max: { cpu: "2", memory: "4Gi" },
    },
  },
  growth: {
    requests: { cpu: 4, memoryGiB: 8 },
    limits: { cpu: 8, memoryGiB: 16 },
    pods: 50,
    services: 25,
    persistentVolumeClaims: 10,
    storageGiB: 100,
    objects: { secrets: 100, configMaps: 100, jobs: 60, cronJobs: 25 },
    container: {
      defaultLimit: { cpu: "1", memory: "1Gi" },
      defaultRequest: { cpu: "250m", memory: "256Mi" },
      max: { cpu: "4", memory: "8Gi" },
    },
  },
  enterprise: {
    requests: { cpu: 8, memoryGiB: 16 },
    limits: { cpu: 16, memoryGiB: 32 },
    pods: 100,
    services: 50,
    persistentVolumeClaims: 25,
    storageGiB: 500,
    objects: { secrets: 250, configMaps: 250, jobs: 150, cronJobs: 50 },
    container: {
      defaultLimit: { cpu: "2", memory: "2Gi" },
      defaultRequest: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "8", memory: "16Gi" },
    },
  },
} as const satisfies Record<string, Tier>;

/** A tier name. */
export type TierName = keyof typeof TIERS;

const cpu = (cores: number) => (Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`);

/** The ResourceQuota `hard` of a tier; LoadBalancer and NodePort Services are forbidden outright. */
export function quotaHard(tier: Tier): Record<string, string> {
  return {
    "requests.cpu": cpu(tier.requests.cpu),
    "requests.memory": `${tier.requests.memoryGiB}Gi`,
    "limits.cpu": cpu(tier.limits.cpu),
    "limits.memory": `${tier.limits.memoryGiB}Gi`,
    pods: String(tier.pods),
    services: String(tier.services),
    "services.loadbalancers": "0",
    "services.nodeports": "0",
    persistentvolumeclaims: String(tier.persistentVolumeClaims),
    "requests.storage": `${tier.storageGiB}Gi`,
    // Object counts (kubernetes.io/docs/concepts/policy/resource-quotas, "Object count quota":
    // `count/<resource>.<group>`, the core group without a suffix).
    "count/secrets": String(tier.objects.secrets),
    "count/configmaps": String(tier.objects.configMaps),
    "count/jobs.batch": String(tier.objects.jobs),
    "count/cronjobs.batch": String(tier.objects.cronJobs),
  };
}
