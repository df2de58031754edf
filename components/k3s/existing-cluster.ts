/**
 * `enclii:k3s:ExistingCluster`: a cluster this program does not provision (k3d, kind, a k3s
 * installed by hand), reached through a kubeconfig given as a secret.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** The API server address of a kubeconfig's current context (or its first cluster). */
export function kubeconfigServer(kubeconfig: string): string {
  const match = /^\s*server:\s*(\S+)\s*$/m.exec(kubeconfig);
  if (!match?.[1]) throw new Error("the kubeconfig has no cluster server address");
  return match[1];
}

/** Arguments of {@link ExistingCluster}. */
export interface ExistingClusterArgs {
  /** The kubeconfig (secret). */
  readonly kubeconfig: pulumi.Input<string>;
}

/** A provider for an existing cluster. */
export class ExistingCluster extends pulumi.ComponentResource {
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly apiEndpoint: pulumi.Output<string>;
  public readonly provider: k8s.Provider;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:k3s:ExistingCluster", name, {}, opts);
    this.kubeconfig = pulumi.secret(args.kubeconfig);
    this.apiEndpoint = pulumi.output(args.kubeconfig).apply(kubeconfigServer);
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    this.registerOutputs({ apiEndpoint: this.apiEndpoint });
  }
}
