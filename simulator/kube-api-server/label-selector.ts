/** Kubernetes label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by commas. */

export type LabelRequirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export class LabelSelectorError extends Error {}

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (depth !== 0) throw new LabelSelectorError(`unbalanced parentheses in "${text}"`);
  parts.push(current);
  return parts.map((p) => p.trim());
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new LabelSelectorError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new LabelSelectorError(`invalid label value "${value}"`);
  return value;
}

export function parseLabelSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return splitTopLevel(text).map((part): LabelRequirement => {
    let match = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (match) {
      if (match[3]!.trim() === '') throw new LabelSelectorError(`for 'in', 'notin' operators, values set can't be empty in "${part}"`);
      return { key: checkKey(match[1]!), op: match[2] as 'in' | 'notin', values: match[3]!.split(',').map((v) => checkValue(v.trim())) };
    }
    match = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (match) return { key: checkKey(match[1]!), op: match[2] === '!=' ? 'neq' : 'eq', value: checkValue(match[3]!) };
    match = /^!\s*(\S+)$/.exec(part);
    if (match) return { key: checkKey(match[1]!), op: 'notexists' };
    if (/^\S+$/.test(part)) return { key: checkKey(part), op: 'exists' };
    throw new LabelSelectorError(`unable to parse requirement "${part}"`);
  });
}

export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> = {}): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case 'eq':
        return has && labels[r.key] === r.value;
      case 'neq':
        return !has || labels[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}
