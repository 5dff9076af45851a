import type { Cluster, VolumeSnapshotClass } from '../../lambdas/domain/kube-objects';
import { EKS_TOKEN_PREFIX, presignGetCallerIdentity } from './get-caller-identity-url';
import type { TestPrincipal } from './kube-api-test-server';

export interface ExampleClusterOptions {
  namespace: string;
  name: string;
  instances?: number;
  walStorage?: boolean;
  tablespaces?: string[];
  /** The image the spec pins; null: none (the cluster runs what `runningImage` says). */
  imageName?: string | null;
  /** status.image: what the instances run (default: the pinned image). */
  runningImage?: string;
  /** spec.bootstrap.initdb's application database and owner (default: none named, so `app`). */
  applicationDatabase?: { database: string; owner?: string };
  /** spec.serviceAccountTemplate with the IRSA role annotation eks.amazonaws.com/role-arn. */
  irsaRoleArn?: string;
  walArchive?: 'plugin' | 'barmanObjectStore' | 'none';
  hibernated?: boolean;
  volumeSnapshot?: boolean;
  snapshotOwnerReference?: 'none' | 'backup' | 'cluster';
  /** The cluster's spec.backup.volumeSnapshot.onlineConfiguration (default: none written; the CRD default applies). */
  onlineConfiguration?: { immediateCheckpoint?: boolean; waitForArchive?: boolean };
}

const EXAMPLE_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.5';

/** A running CNPG Cluster as the operator reports it: healthy, with a volume-snapshot backup stanza. */
export function exampleCluster(options: ExampleClusterOptions): Cluster {
  const { namespace, name } = options;
  const instances = options.instances ?? 3;
  const archive = options.walArchive ?? 'none';
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name,
      namespace,
      ...(options.hibernated && { annotations: { 'cnpg.io/hibernation': 'on' } }),
    },
    spec: {
      instances,
      ...(options.imageName !== null && { imageName: options.imageName ?? EXAMPLE_IMAGE }),
      ...(options.applicationDatabase && { bootstrap: { initdb: options.applicationDatabase } }),
      ...(options.irsaRoleArn && {
        serviceAccountTemplate: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': options.irsaRoleArn } } },
      }),
      postgresql: { parameters: { max_connections: '200', shared_buffers: '256MB' } },
      resources: { requests: { cpu: '1', memory: '2Gi' } },
      storage: { size: '50Gi', storageClass: 'gp3' },
      ...((options.walStorage ?? true) && { walStorage: { size: '10Gi', storageClass: 'gp3' } }),
      ...(options.tablespaces && {
        tablespaces: options.tablespaces.map((t) => ({ name: t, storage: { size: '5Gi', storageClass: 'gp3' } })),
      }),
      backup: {
        ...((options.volumeSnapshot ?? true) && {
          volumeSnapshot: {
            className: 'csi-aws-vsc',
            online: true,
            snapshotOwnerReference: options.snapshotOwnerReference ?? 'none',
            ...(options.onlineConfiguration && { onlineConfiguration: options.onlineConfiguration }),
          },
        }),
        ...(archive === 'barmanObjectStore' && {
          barmanObjectStore: { destinationPath: 's3://wal-archive/hendrix', s3Credentials: { inheritFromIAMRole: true } },
        }),
      },
      ...(archive === 'plugin' && {
        plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'wal-archive' } }],
      }),
    },
    status: {
      phase: 'Cluster in healthy state',
      image: options.runningImage ?? options.imageName ?? EXAMPLE_IMAGE,
      instances,
      readyInstances: options.hibernated ? 0 : instances,
      currentPrimary: `${name}-1`,
      targetPrimary: `${name}-1`,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ClusterIsReady',
          message: 'Cluster is Ready',
          lastTransitionTime: '2026-10-01T00:00:00Z',
        },
      ],
    },
  };
}

export function exampleVolumeSnapshotClass(options: { name: string; deletionPolicy: 'Delete' | 'Retain' }): VolumeSnapshotClass {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    metadata: { name: options.name },
    driver: 'ebs.csi.aws.com',
    deletionPolicy: options.deletionPolicy,
  };
}

/**
 * A bearer token for `principal`, signed at `signedAt` as aws-iam-authenticator signs them (X-Amz-Expires 60). Made
 * here rather than with the production token provider, so the server's tests do not depend on the code under test.
 */
export async function issueTestToken(options: {
  principal: TestPrincipal;
  clusterName: string;
  region: string;
  signedAt: Date;
}): Promise<string> {
  const { accessKeyId, secretAccessKey } = options.principal;
  const url = await presignGetCallerIdentity({
    region: options.region,
    clusterName: options.clusterName,
    credentials: { accessKeyId, secretAccessKey },
    signedAt: options.signedAt,
    expiresInSeconds: 60,
  });
  return EKS_TOKEN_PREFIX + Buffer.from(url).toString('base64url');
}
