import { Arn, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KUBERNETES_GROUP } from './kubernetes-group';

export interface KubeAccessProps {
  /** EKS cluster names the workflows talk to. */
  readonly eksClusters: readonly string[];
}

/**
 * The one IAM role every Kubernetes-facing Lambda runs as: allowed to describe the named EKS clusters only, and mapped
 * into them through an EKS access entry with the group that the generated RBAC (`npm run k8s-manifests`) binds (no AWS-managed access policy).
 */
export class KubeAccess extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: KubeAccessProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'WorkflowRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cnpg-snapshot-scheduler workflow Lambdas: Kubernetes API access through an EKS access entry',
    });
    const stack = Stack.of(this);
    const clusters = [...new Set(props.eksClusters)].sort();
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['eks:DescribeCluster'],
        resources: clusters.map((name) => Arn.format({ service: 'eks', resource: 'cluster', resourceName: name }, stack)),
      }),
    );
    clusters.forEach((clusterName) => {
      new eks.CfnAccessEntry(this, `AccessEntry-${clusterName}`, {
        clusterName,
        principalArn: this.role.roleArn,
        type: 'STANDARD',
        kubernetesGroups: [KUBERNETES_GROUP],
      });
    });
  }
}
