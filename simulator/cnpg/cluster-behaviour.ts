/** How one simulated cluster behaves: durations on the virtual clock, and the failures a test injects. */
export interface ClusterBehaviour {
  /** From "may start" to started (pod elected, snapshots requested). */
  startSeconds: number;
  /** From started to snapshots provisioned (phase finalizing). */
  snapshotSeconds: number;
  /** From finalizing to snapshots readyToUse (phase completed). */
  finalizingSeconds: number;
  /** A new or restored cluster's time from bootstrap start to healthy. */
  restoreSeconds: number;
  /** The CSI driver fails every snapshot with this error: the Backup fails, its snapshots stay behind. */
  csiError?: string;
  /** Backups of this cluster never leave pending (operator down, queue blocked). */
  stuckPending?: boolean;
  /**
   * The operator's admission guard refuses this cluster's volume-snapshot Backups, as it does when the operator
   * started without the VolumeSnapshot CRD and the webhooks are not installed (internal/webhook/v1/backup_webhook.go
   * validate, spec.method); clearing it lets the guard admit them again.
   */
  refuseVolumeSnapshotBackups?: boolean;
  /** A restore (or new cluster) of this name fails this way ('job-failed': every pod of its bootstrap Job fails). */
  restoreFailure?: 'job-failed' | 'unrecoverable' | 'never-ready';
  /** Pods of a restore's (or new cluster's) bootstrap Job that fail before one succeeds; Kubernetes retries them. */
  recoveryPodFailures?: number;
  /**
   * For a cluster's WAL archive (by the server name it archives under): the ServiceAccounts its IAM role trusts
   * (IRSA trust policy, EKS Pod Identity association). Unset: the archive needs no pod identity.
   */
  archiveReaders?: string[];
}

export const DEFAULT_BEHAVIOUR: ClusterBehaviour = { startSeconds: 5, snapshotSeconds: 60, finalizingSeconds: 120, restoreSeconds: 90 };

/** Behaviours by cluster, also for clusters that do not exist yet (a restore's name). */
export class ClusterBehaviours {
  private readonly overrides = new Map<string, Partial<ClusterBehaviour>>();

  set(namespace: string, clusterName: string, behaviour: Partial<ClusterBehaviour>): void {
    const key = `${namespace}/${clusterName}`;
    this.overrides.set(key, { ...this.overrides.get(key), ...behaviour });
  }

  of(namespace: string, clusterName: string): ClusterBehaviour {
    return { ...DEFAULT_BEHAVIOUR, ...this.overrides.get(`${namespace}/${clusterName}`) };
  }
}
