import { decideCopyDue } from '../../lambdas/domain/copy-due';
import { copyOf, copyRecord, DAILY } from './copy-fixtures';

const TIMES = { startedAt: '2026-11-30T00:05:00Z', expiresAt: '2026-12-30T00:03:00Z' };

describe('whether a completed backup is copied', () => {
  test('daily: the first completed backup of a UTC day is', () => {
    const record = copyRecord('b-0000', '2026-11-30T00:03:00Z');
    expect(decideCopyDue({ policy: DAILY, record, records: [record] })).toEqual({ due: true });
  });

  test('daily: a later backup of a day with a copy started is not', () => {
    const first = copyRecord('b-0000', '2026-11-30T00:03:00Z');
    const copied = { ...first, copies: [copyOf(first, TIMES)] };
    const later = copyRecord('b-0100', '2026-11-30T01:03:00Z');
    expect(decideCopyDue({ policy: DAILY, record: later, records: [copied, later] })).toEqual({
      due: false,
      reason: 'backup b-0000 of 2026-11-30 has a copy in us-west-2',
    });
  });

  test('daily: the first backup of the next UTC day is, by its stoppedAt', () => {
    const first = copyRecord('b-2300', '2026-11-29T23:50:00Z');
    const copied = { ...first, copies: [copyOf(first, TIMES)] };
    const next = copyRecord('b-0000', '2026-11-30T00:02:00Z');
    expect(decideCopyDue({ policy: DAILY, record: next, records: [copied, next] })).toEqual({ due: true });
  });

  test('daily: a backup of a day whose earlier copy failed (and was removed) is', () => {
    const first = copyRecord('b-0000', '2026-11-30T00:03:00Z');
    const later = copyRecord('b-0100', '2026-11-30T01:03:00Z');
    expect(decideCopyDue({ policy: DAILY, record: later, records: [first, later] })).toEqual({ due: true });
  });

  test('daily: a copy to another Region does not count', () => {
    const first = copyRecord('b-0000', '2026-11-30T00:03:00Z');
    const elsewhere = { ...first, copies: [{ ...copyOf(first, TIMES), region: 'eu-central-1' }] };
    const later = copyRecord('b-0100', '2026-11-30T01:03:00Z');
    expect(decideCopyDue({ policy: DAILY, record: later, records: [elsewhere, later] })).toEqual({ due: true });
  });

  test('every backup: each one is, also on a day with copies', () => {
    const first = copyRecord('b-0000', '2026-11-30T00:03:00Z');
    const copied = { ...first, copies: [copyOf(first, TIMES)] };
    const later = copyRecord('b-0100', '2026-11-30T01:03:00Z');
    expect(decideCopyDue({ policy: { ...DAILY, every: 'backup' }, record: later, records: [copied, later] })).toEqual({ due: true });
  });

  test('a backup with a copy in the Region already is not (a second delivery of its completion)', () => {
    const first = copyRecord('b-0000', '2026-11-30T00:03:00Z');
    const copied = { ...first, copies: [copyOf(first, TIMES)] };
    expect(decideCopyDue({ policy: { ...DAILY, every: 'backup' }, record: copied, records: [copied] })).toEqual({
      due: false,
      reason: 'the backup has a copy in us-west-2 already',
    });
  });

  test('a backup whose storage retention released is not', () => {
    const released = copyRecord('b-0000', '2026-11-30T00:03:00Z', { expiredAt: '2026-11-30T00:10:00Z' });
    expect(decideCopyDue({ policy: DAILY, record: released, records: [released] }).due).toBe(false);
  });
});
