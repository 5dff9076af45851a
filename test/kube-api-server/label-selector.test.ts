import fc from 'fast-check';
import { matchesLabels, parseLabelSelector } from '../../simulator/kube-api-server/label-selector';

const key = fc.constantFrom('app', 'tier', 'cnpg.io/cluster', 'example.com/retention');
const value = fc.constantFrom('', 'pg', 'data', 'wal', 'hourly-7d');
const labels = fc.dictionary(key, value, { maxKeys: 4 });
const values = fc.uniqueArray(
  value.filter((v) => v !== ''),
  { minLength: 1, maxLength: 3 },
);

const matches = (selector: string, set: Record<string, string>) => matchesLabels(parseLabelSelector(selector), set);

describe('label selector semantics', () => {
  test('!= selects exactly what = does not', () => {
    fc.assert(fc.property(labels, key, value, (set, k, v) => matches(`${k}!=${v}`, set) === !matches(`${k}=${v}`, set)));
  });

  test('== means the same as =', () => {
    fc.assert(fc.property(labels, key, value, (set, k, v) => matches(`${k}==${v}`, set) === matches(`${k}=${v}`, set)));
  });

  test('in selects what any one of its = requirements selects', () => {
    fc.assert(
      fc.property(
        labels,
        key,
        values,
        (set, k, vs) => matches(`${k} in (${vs.join(', ')})`, set) === vs.some((v) => matches(`${k}=${v}`, set)),
      ),
    );
  });

  test('notin selects exactly what in does not', () => {
    fc.assert(
      fc.property(
        labels,
        key,
        values,
        (set, k, vs) => matches(`${k} notin (${vs.join(',')})`, set) === !matches(`${k} in (${vs.join(',')})`, set),
      ),
    );
  });

  test('!key selects exactly what key does not', () => {
    fc.assert(fc.property(labels, key, (set, k) => matches(`!${k}`, set) === !matches(k, set)));
  });

  test('a comma joins requirements with AND', () => {
    fc.assert(
      fc.property(
        labels,
        key,
        value,
        key,
        (set, k1, v1, k2) => matches(`${k1}=${v1},${k2}`, set) === (matches(`${k1}=${v1}`, set) && matches(k2, set)),
      ),
    );
  });

  test('an empty selector selects everything', () => {
    fc.assert(fc.property(labels, (set) => matches('', set)));
  });
});
