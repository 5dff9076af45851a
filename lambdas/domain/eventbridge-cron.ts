/**
 * EventBridge cron expressions: `cron(minutes hours day-of-month month day-of-week year)`.
 * One of day-of-month and day-of-week must be `?`. Checked here so a bad schedule fails `cdk synth`, not deploy.
 */

const FIELD_PATTERNS: readonly RegExp[] = [
  /^([0-5]?\d)([,/-][0-5]?\d)*$|^\*(\/[0-5]?\d)?$/,
  /^([01]?\d|2[0-3])([,/-]([01]?\d|2[0-3]))*$|^\*(\/\d{1,2})?$/,
  /^(\*|\?|L|W|\d{1,2}W?|LW)([,/-]\d{1,2})*$/,
  /^(\*|[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)([,/-]([1-9]|1[0-2]|[A-Z]{3}))*$/,
  /^(\*|\?|[1-7]L?|SUN|MON|TUE|WED|THU|FRI|SAT|L)([,/#-]([1-7]|[A-Z]{3}|\d))*$/,
  /^(\*|(19[7-9]\d|2[01]\d\d))([,/-]\d{1,4})*$/,
];

export function cronProblem(expression: string): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression);
  if (!match) return 'must look like cron(0 * * * ? *): six fields inside cron( )';
  const fields = match[1]!.trim().split(/\s+/);
  if (fields.length !== 6)
    return `has ${fields.length} fields; EventBridge cron needs 6 (minutes hours day-of-month month day-of-week year)`;
  const bad = fields.findIndex((field, index) => !FIELD_PATTERNS[index]!.test(field.toUpperCase()));
  if (bad >= 0) return `field ${bad + 1} ("${fields[bad]}") is not valid`;
  if ((fields[2] === '?') === (fields[4] === '?')) return 'exactly one of day-of-month (field 3) and day-of-week (field 5) must be "?"';
  return undefined;
}
