import type { BackupDecision, RetentionPlan, RetentionRule } from '../lambdas/domain/retention-plan';

/**
 * The picture of a retention plan: every backup on a time axis, coloured by the rule that keeps it, or marked for
 * deletion, with the RPO window shaded and failed backups drawn apart. Pure: the same plan draws the same SVG.
 */

export type TimelineCategory = 'window' | 'minimum' | 'daily' | 'weekly' | 'monthly' | 'protected' | 'failed-kept' | 'delete';

const CATEGORY_OF: Record<RetentionRule, TimelineCategory> = {
  'within-keep-window': 'window',
  'newest-completed': 'minimum',
  'min-keep': 'minimum',
  'daily-tier': 'daily',
  'weekly-tier': 'weekly',
  'monthly-tier': 'monthly',
  'referenced-by-restore': 'protected',
  'referenced-by-pending-claim': 'protected',
  'in-progress': 'protected',
  'out-of-scope': 'protected',
  'orphan-within-grace': 'protected',
  'failed-within-failed-keep': 'failed-kept',
  expired: 'delete',
  'failed-expired': 'delete',
  'orphaned-snapshot': 'delete',
  'deletion-in-progress': 'delete',
};

export const CATEGORY_STYLE: Record<TimelineCategory, { colour: string; label: string }> = {
  window: { colour: '#2b8a3e', label: 'kept: within keepWithin' },
  minimum: { colour: '#1971c2', label: 'kept: newest / minKeep' },
  daily: { colour: '#0c8599', label: 'kept: daily tier' },
  weekly: { colour: '#7048e8', label: 'kept: weekly tier' },
  monthly: { colour: '#c2255c', label: 'kept: monthly tier' },
  protected: { colour: '#e8590c', label: 'kept: protected (in progress, restore, out of scope)' },
  'failed-kept': { colour: '#868e96', label: 'failed, kept for diagnosis' },
  delete: { colour: '#e03131', label: 'to delete' },
};

export function timelineCategory(decision: Pick<BackupDecision, 'action' | 'rule'>): TimelineCategory {
  return decision.action === 'delete' ? 'delete' : CATEGORY_OF[decision.rule];
}

export interface TimelineInput {
  title: string;
  plan: RetentionPlan;
  now: Date;
  /** The target's RPO: the shaded window before now in which a completed backup must exist. */
  rpoMinutes: number;
}

const WIDTH = 1000;
const LEFT = 40;
const RIGHT = 20;
const AXIS_Y = 150;
const LANE_OK = 110;
const LANE_FAILED = 70;

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The plan as an SVG document. */
export function retentionTimelineSvg(input: TimelineInput): string {
  const { plan, now } = input;
  const times = plan.backups.map((b) => Date.parse(b.completedAt ?? '')).filter((t) => !Number.isNaN(t));
  const end = now.getTime();
  const start = Math.min(end - input.rpoMinutes * 60_000 * 2, ...times);
  const span = Math.max(1, end - start);
  const x = (time: number) => LEFT + ((time - start) / span) * (WIDTH - LEFT - RIGHT);
  const rpoStart = x(end - input.rpoMinutes * 60_000);

  const marks = plan.backups.map((backup) => {
    const time = Date.parse(backup.completedAt ?? '');
    const category = timelineCategory(backup);
    const { colour } = CATEGORY_STYLE[category];
    const cx = x(Number.isNaN(time) ? end : time).toFixed(1);
    const failed = backup.phase === 'failed';
    const cy = failed ? LANE_FAILED : LANE_OK;
    const attributes = `data-backup="${escapeXml(backup.name)}" data-rule="${backup.rule}" data-category="${category}" data-action="${backup.action}"`;
    const tooltip = `<title>${escapeXml(`${backup.name}: ${backup.phase || 'no phase'}, ${backup.action} (${backup.rule})`)}</title>`;
    if (backup.action === 'delete')
      return `<g ${attributes} stroke="${colour}" stroke-width="2"><line x1="${Number(cx) - 4}" y1="${cy - 4}" x2="${Number(cx) + 4}" y2="${cy + 4}"/><line x1="${Number(cx) - 4}" y1="${cy + 4}" x2="${Number(cx) + 4}" y2="${cy - 4}"/>${tooltip}</g>`;
    return `<circle ${attributes} cx="${cx}" cy="${cy}" r="5" fill="${colour}"${failed ? ' fill-opacity="0.5"' : ''}>${tooltip}</circle>`;
  });

  const ticks = dayTicks(start, end).map((time) => {
    const tx = x(time).toFixed(1);
    return `<line x1="${tx}" y1="${AXIS_Y}" x2="${tx}" y2="${AXIS_Y + 5}" stroke="#495057"/><text x="${tx}" y="${AXIS_Y + 18}" font-size="10" text-anchor="middle">${new Date(time).toISOString().slice(5, 10)}</text>`;
  });

  const categories = Object.keys(CATEGORY_STYLE) as TimelineCategory[];
  const legend = categories.map((category, index) => {
    const lx = LEFT + (index % 4) * 240;
    const ly = 200 + Math.floor(index / 4) * 18;
    return `<circle cx="${lx}" cy="${ly - 4}" r="5" fill="${CATEGORY_STYLE[category].colour}"/><text x="${lx + 10}" y="${ly}" font-size="11">${escapeXml(CATEGORY_STYLE[category].label)}</text>`;
  });

  const kept = plan.backups.filter((b) => b.action === 'keep').length;
  const doomed = plan.backups.length - kept;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="250" viewBox="0 0 ${WIDTH} 250" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="250" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="14" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="${LEFT}" y="40" font-size="11">${kept} backups kept, ${doomed} to delete; shaded: the RPO window (${input.rpoMinutes} min) before ${escapeXml(now.toISOString())}</text>`,
    `<rect data-rpo-window="${input.rpoMinutes}" x="${rpoStart.toFixed(1)}" y="55" width="${(x(end) - rpoStart).toFixed(1)}" height="${AXIS_Y - 55}" fill="#ffd43b" fill-opacity="0.35"/>`,
    `<text x="${LEFT - 4}" y="${LANE_OK + 4}" font-size="10" text-anchor="end">ok</text>`,
    `<text x="${LEFT - 4}" y="${LANE_FAILED + 4}" font-size="10" text-anchor="end">failed</text>`,
    `<line x1="${LEFT}" y1="${AXIS_Y}" x2="${WIDTH - RIGHT}" y2="${AXIS_Y}" stroke="#495057"/>`,
    ...ticks,
    ...marks,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** The plan as a standalone HTML page: the picture and, below it, every backup with its decision. */
export function retentionTimelineHtml(input: TimelineInput): string {
  const rows = input.plan.backups.map(
    (b) =>
      `<tr><td>${escapeXml(b.name)}</td><td>${escapeXml(b.phase || '-')}</td><td>${escapeXml(b.completedAt ?? '-')}</td><td style="color:${CATEGORY_STYLE[timelineCategory(b)].colour}">${b.action}</td><td>${b.rule}</td></tr>`,
  );
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeXml(input.title)}</title>`,
    '<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;font-size:12px}</style>',
    '</head><body>',
    retentionTimelineSvg(input),
    '<table><thead><tr><th>backup</th><th>phase</th><th>completed</th><th>action</th><th>rule</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></body></html>',
  ].join('\n');
}

/** Midnights (UTC) between start and end, at most about twelve of them. */
function dayTicks(start: number, end: number): number[] {
  const day = 86_400_000;
  const every = Math.max(1, Math.ceil((end - start) / day / 12));
  const ticks: number[] = [];
  for (let time = Math.ceil(start / day) * day; time <= end; time += every * day) ticks.push(time);
  return ticks;
}
