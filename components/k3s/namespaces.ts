/**
 * `enclii:k3s:Namespaces`: the platform namespaces with PodSecurity labels and, in every one, a
 * default deny of ingress and egress plus the DNS allow. Other components receive their namespace from here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  renderAllowDns,
  renderDefaultDeny,
  renderNamespace,
  validateNamespaceSpec,
} from "../shared/namespace";
import {
  type PlatformNamespace,
  type PlatformNamespaceOptions,
  platformNamespaces,
} from "./platform-namespaces";

/** Arguments of {@link Namespaces}. */
export interface NamespacesArgs extends PlatformNamespaceOptions {
  /** Provider of the cluster the namespaces are created in. */
  readonly provider: k8s.Provider;
  /** Value of the `enclii.dev/environment` label on every namespace. */
  readonly environment: string;
}

/** Creates the platform namespaces; `names[x]` resolves after namespace `x` exists. */
export class Namespaces extends pulumi.ComponentResource {
  /** Namespace name by name, as Outputs that depend on the Namespace resource. */
  public readonly names: Record<string, pulumi.Output<string>>;
  /** The specs that were created (for policy exemptions and docs). */
  public readonly specs: readonly PlatformNamespace[];

  constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:k3s:Namespaces", name, {}, opts);
    const specs = platformNamespaces(args);
    const problems = specs.flatMap(validateNamespaceSpec);
    if (problems.length > 0) throw new Error(`enclii:k3s:Namespaces ${name}: ${problems.join("; ")}`);

    const childOpts = { parent: this, provider: args.provider };
    this.specs = specs;
    this.names = {};
    for (const spec of specs) {
      const manifest = renderNamespace({ ...spec, labels: { "enclii.dev/environment": args.environment } });
      const ns = new k8s.core.v1.Namespace(`${name}-${spec.name}`, manifest, childOpts);
      this.names[spec.name] = ns.metadata.name;
      // Every namespace, platform ones included, starts closed: deny all and allow DNS; the
      // component in `spec.allows` adds its pods' allows beside these.
      const nsOpts = { ...childOpts, dependsOn: [ns] };
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${spec.name}-default-deny`,
        renderDefaultDeny(spec.name),
        nsOpts,
      );
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${spec.name}-allow-dns`,
        renderAllowDns(spec.name),
        nsOpts,
      );
    }
    this.registerOutputs({ names: this.names });
  }
}
