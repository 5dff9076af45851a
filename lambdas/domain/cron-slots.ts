/**
 * When an EventBridge cron schedule fires next, in UTC (the scheduler's schedules carry no time zone).
 * Fields: minutes hours day-of-month month day-of-week year; day-of-week 1-7 is SUN-SAT; `L` in day-of-month is the
 * last day, `nL` in day-of-week the last such weekday of the month, `n#k` its k-th. `W` (nearest weekday) is not
 * evaluated: such schedules have no computed next slot.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const SEARCH_DAYS = 5 * 366;

type DayMatcher = (date: Date) => boolean;

/** The first slot strictly after `after`, or undefined when the expression uses what is not evaluated or never fires. */
export function nextCronSlot(expression: string, after: Date): Date | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6) return undefined;
  const [minuteField, hourField, domField, monthField, dowField, yearField] = fields.map((f) => f.toUpperCase()) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const minutes = valuesOf(minuteField, 0, 59);
  const hours = valuesOf(hourField, 0, 23);
  const months = valuesOf(monthField, 1, 12, MONTHS);
  const years = yearField === '*' ? undefined : valuesOf(yearField, 1970, 2199);
  const dayOfMonth = dayOfMonthMatcher(domField);
  const dayOfWeek = dayOfWeekMatcher(dowField);
  if (!minutes || !hours || !months || (yearField !== '*' && !years) || !dayOfMonth || !dayOfWeek) return undefined;

  const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const firstDay = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let day = 0; day < SEARCH_DAYS; day++) {
    const date = new Date(firstDay + day * 86_400_000);
    if (years && !years.has(date.getUTCFullYear())) continue;
    if (!months.has(date.getUTCMonth() + 1) || !dayOfMonth(date) || !dayOfWeek(date)) continue;
    for (const hour of [...hours].sort((a, b) => a - b))
      for (const minute of [...minutes].sort((a, b) => a - b)) {
        const slot = new Date(date.getTime() + hour * 3_600_000 + minute * 60_000);
        if (slot >= start) return slot;
      }
  }
  return undefined;
}

/** The values a field allows: `*`, `a`, `a-b`, `a/s`, `a-b/s`, `* /s`, comma lists, and names where given. */
function valuesOf(field: string, min: number, max: number, names: readonly string[] = []): Set<number> | undefined {
  const values = new Set<number>();
  const number = (text: string): number | undefined => {
    const named = names.indexOf(text);
    if (named >= 0) return named + min;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return undefined;
    let low: number | undefined;
    let high: number | undefined;
    if (range === '*') [low, high] = [min, max];
    else if (range.includes('-')) [low, high] = range.split('-').map(number) as [number | undefined, number | undefined];
    else [low, high] = [number(range), stepText === undefined ? number(range) : max];
    if (low === undefined || high === undefined || low < min || high > max || low > high) return undefined;
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfMonthMatcher(field: string): DayMatcher | undefined {
  if (field === '?' || field === '*') return () => true;
  if (field === 'L') return (date) => date.getUTCDate() === daysInMonth(date);
  if (field.includes('W')) return undefined;
  const days = valuesOf(field, 1, 31);
  return days && ((date) => days.has(date.getUTCDate()));
}

function dayOfWeekMatcher(field: string): DayMatcher | undefined {
  if (field === '?' || field === '*') return () => true;
  const weekday = (date: Date) => date.getUTCDay() + 1; // EventBridge: 1 = SUN ... 7 = SAT
  const single = (text: string) => valuesOf(text, 1, 7, WEEKDAYS)?.values().next().value;
  const last = /^(\w+)L$/.exec(field);
  if (last) {
    const day = single(last[1]!);
    return day === undefined ? undefined : (date) => weekday(date) === day && date.getUTCDate() + 7 > daysInMonth(date);
  }
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const day = single(nth[1]!);
    const k = Number(nth[2]);
    return day === undefined ? undefined : (date) => weekday(date) === day && Math.ceil(date.getUTCDate() / 7) === k;
  }
  if (field === 'L') return (date) => weekday(date) === 7;
  const days = valuesOf(field, 1, 7, WEEKDAYS);
  return days && ((date) => days.has(weekday(date)));
}
