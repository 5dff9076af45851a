import { formatCompactUtc } from './backup-name';

/**
 * Step Functions execution name of one scheduled slot, `<target>-<workflow>-<YYYYMMDDHHMMSS>`: the same slot always
 * gets the same name, so a duplicate delivery of the schedule starts nothing new. At most 80 characters.
 */
export function executionNameFor(target: string, workflow: 'backup' | 'retention' | 'drill', scheduledTime: Date): string {
  return `${target}-${workflow}-${formatCompactUtc(scheduledTime)}`;
}
