/**
 * What a restore dry run answered (RequestRestore with `dryRun`), as the CLI prints it: the Cluster it would create,
 * the backup it chose and where its storage snapshots would come from. Nothing was started or changed.
 */
export interface RestorePreview {
  clusterName: string;
  namespace: string;
  backup: string;
  backupEndedAt: string;
  walReplay: string;
  applicationSecret: string;
  warnings: string[];
  /** A restore from the catalog: the Region of the storage snapshots it would import, the backup's own or a copy's. */
  snapshots?: { region: string; from: string };
}

/** `, snapshots: its copy in <Region>` for a restore from the catalog; nothing for one from the namespace. */
export function snapshotsFrom(snapshots: RestorePreview['snapshots']): string {
  if (!snapshots) return '';
  return `, snapshots: ${snapshots.from === 'copy' ? 'its copy' : 'its own'} in ${snapshots.region}`;
}

export function restorePreviewText(preview: RestorePreview): string {
  const warnings = preview.warnings.map((warning) => `\n  warning: ${warning}`).join('');
  return (
    `Would restore cluster ${preview.namespace}/${preview.clusterName} from backup ${preview.backup} ` +
    `(ended ${preview.backupEndedAt}, WAL replay: ${preview.walReplay}${snapshotsFrom(preview.snapshots)}); ` +
    `applications would connect with Secret ${preview.applicationSecret}${warnings}\n` +
    'Dry run: nothing was started or changed. Run it again without --dry-run to restore.'
  );
}
