import { PROGRESS_REPEAT_MS, ProgressLines, formatElapsed } from '../../cli/progress';

describe('the progress lines of --wait', () => {
  test('elapsed time reads as seconds, then minutes and seconds, then hours and minutes', () => {
    expect(formatElapsed(45_900)).toBe('45s');
    expect(formatElapsed(185_000)).toBe('3m05s');
    expect(formatElapsed(3_720_000)).toBe('1h02m');
  });

  test('a line when the phase changes, and one a minute while it stays the same', () => {
    const lines: string[] = [];
    const progress = new ProgressLines((line) => lines.push(line), 1_000);
    progress.seen('pending', 1_000);
    progress.seen('pending', 6_000);
    progress.seen('running', 11_000);
    progress.seen('running', 11_000 + PROGRESS_REPEAT_MS - 1);
    progress.seen('running', 11_000 + PROGRESS_REPEAT_MS);
    expect(lines).toEqual(['      0s  pending\n', '     10s  running\n', '   1m10s  running\n']);
  });
});
