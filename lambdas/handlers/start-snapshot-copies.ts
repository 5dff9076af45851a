import * as z from 'zod';
import { decideCopyDue } from '../domain/copy-due';
import { copyWaitSeconds } from '../domain/copy-progress';
import type { CopyStepResult } from '../domain/copy-step-result';
import { CopyWorkflowInputSchema } from '../domain/copy-workflow-input';
import { snapshotCopyRequests, startedCopy } from '../domain/snapshot-copy-request';
import { parseInput } from '../domain/validation';
import { copyStorage, type CopyDependencies } from './copy-dependencies';

const StartSnapshotCopiesEventSchema = z.strictObject({ input: CopyWorkflowInputSchema });

/**
 * Starts the copies of a completed backup in the target's DR Region when it is due (copy-due.ts): one CopySnapshot per
 * volume, then the copy in the catalog, pending. Copies started by a run that cannot record them (an error, or a
 * second start of the same backup that recorded its copy first) are deleted again, so none is left unrecorded.
 */
export function createStartSnapshotCopies(deps: CopyDependencies) {
  return async (event: unknown): Promise<CopyStepResult> => {
    const { input } = parseInput(StartSnapshotCopiesEventSchema, event, 'start snapshot copies input');
    const target = deps.catalog().resolve(input.target, 'input.target');
    deps.log.appendKeys({ target: target.name, backup: input.backup });
    const policy = target.copies;
    if (!policy) return notDue('the target has no copies configured', deps);
    const records = await deps.recoveryPoints.recordsOf(target.name);
    const record = records.find((r) => r.backup === input.backup);
    if (!record) return notDue(`backup ${input.backup} is not in the recovery-point catalog`, deps);
    const due = decideCopyDue({ policy, record, records });
    if (!due.due) return notDue(due.reason, deps);

    const copies = new Map<string, string>();
    const storage = copyStorage(deps, policy.account);
    const sourceRegion = deps.region();
    const shared: string[] = [];
    const undo = async (shares: 'unshare' | 'keep') => {
      await deleteCopies(policy.region, [...copies.values()], storage, deps);
      if (policy.account && shares === 'unshare') await unshareSources(sourceRegion, shared, policy.account.id, deps);
    };
    try {
      for (const request of snapshotCopyRequests({ record, policy, sourceRegion, catalog: deps.catalogName() })) {
        // Another account copies only a snapshot shared with it (ModifySnapshotAttribute); the share goes when the copy completes.
        if (policy.account) {
          shared.push(request.sourceSnapshotId);
          await deps.storageSnapshots.share(sourceRegion, request.sourceSnapshotId, policy.account.id);
        }
        copies.set(request.sourceSnapshotId, await storage.copy(request));
      }
      const copy = startedCopy({ record, policy, copies, now: deps.now() });
      const added = await deps.recoveryPoints.addCopy(target.name, record.backup, copy);
      if (added !== 'added') {
        // The copy another start recorded still copies from the shared sources: its CheckSnapshotCopies unshares them.
        await undo(added === 'exists' ? 'keep' : 'unshare');
        return notDue(added === 'exists' ? `another start recorded a copy in ${policy.region} first` : 'the record is gone', deps);
      }
    } catch (error) {
      await undo('unshare');
      throw error;
    }
    deps.log.info('copies started', {
      region: policy.region,
      ...(policy.account && { account: policy.account.id }),
      snapshots: Object.fromEntries(copies),
    });
    return { follow: { region: policy.region, checks: 0 }, progress: { state: 'waiting', waitSeconds: copyWaitSeconds(0) } };
  };
}

function notDue(reason: string, deps: CopyDependencies): CopyStepResult {
  deps.log.info('no copy due', { reason });
  return { progress: { state: 'notDue', reason } };
}

/** Deletes copies this run started; one that cannot be deleted now is logged (its tags mark it for copy retention). */
async function deleteCopies(
  region: string,
  ids: readonly string[],
  storage: CopyDependencies['storageSnapshots'],
  deps: CopyDependencies,
): Promise<void> {
  for (const id of ids)
    await storage.delete(region, id).catch((error: unknown) => {
      deps.log.error('a copy started by this run could not be deleted', { region, snapshot: id, error: String(error) });
    });
}

/** Takes back the shares this run made; one that cannot be taken back now is logged. */
async function unshareSources(region: string, ids: readonly string[], accountId: string, deps: CopyDependencies): Promise<void> {
  for (const id of ids)
    await deps.storageSnapshots.unshare(region, id, accountId).catch((error: unknown) => {
      deps.log.error('a source snapshot shared by this run could not be unshared', {
        region,
        snapshot: id,
        account: accountId,
        error: String(error),
      });
    });
}
