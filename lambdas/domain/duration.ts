/** Durations written as a whole number and a unit: `90m`, `36h`, `7d`, `2w`. */

const UNIT_SECONDS = { m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
const DURATION_PATTERN = /^([1-9][0-9]{0,5})([mhdw])$/;

export type Duration = `${number}${keyof typeof UNIT_SECONDS}`;

export function isDuration(text: string): text is Duration {
  return DURATION_PATTERN.test(text);
}

export function durationSeconds(text: Duration): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a duration such as 90m, 36h, 7d or 2w`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}
