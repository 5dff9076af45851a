import * as z from './zod-mini';
import type { TargetRef } from './target-catalog';
import type { TargetSpec } from './target-spec';
import { TargetReferenceSchema } from './workflow-input';

/**
 * The copy workflow's input: the target (as the backup workflow named it) and its completed backup. The EventBridge
 * rule on `Backup Completed` builds it from the event's `copyTo` detail, which CheckBackup adds only for a target
 * with copies: the rule matches no other, so a target without copies starts no execution.
 */
export const CopyWorkflowInputSchema = z.strictObject({
  target: TargetReferenceSchema,
  backup: z.string().check(z.minLength(1)),
});
export type CopyWorkflowInput = z.infer<typeof CopyWorkflowInputSchema>;

/** The field of the `Backup Completed` detail that asks for a copy; the rule's pattern matches on `copyTo.region`. */
export const COPY_TO_FIELD = 'copyTo';

/** The `copyTo` detail of a target's completed backup: its copy Region and the reference the copy workflow resolves. */
export function copyToDetail(target: TargetSpec, ref: TargetRef): Record<string, unknown> {
  return target.copies ? { [COPY_TO_FIELD]: { region: target.copies.region, target: ref } } : {};
}
