/**
 * `enclii:data:DataNetwork`: the allows of a namespace holding PostgreSQL and Redis (the shared
 * `data` namespace), beside the default deny its Namespace component created. Rendered by
 * {@link renderDataNetworkPolicies}; a tenant's dedicated Janua namespace renders the same.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createObjects } from "../shared/objects";
import { type DataNetworkOptions, renderDataNetworkPolicies } from "./data-network";

/** Arguments of {@link DataNetwork}. */
export interface DataNetworkArgs extends DataNetworkOptions {
  readonly provider: k8s.Provider;
  /** The namespace as an Output that waits for the Namespace resource. */
  readonly namespaceRef: pulumi.Input<string>;
}

/** The network policies of a data namespace. */
export class DataNetwork extends pulumi.ComponentResource {
  constructor(name: string, args: DataNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:data:DataNetwork", name, {}, opts);
    const { provider, namespaceRef, ...options } = args;
    createObjects(name, renderDataNetworkPolicies(options), { parent: this, provider }, namespaceRef);
    this.registerOutputs({});
  }
}
