// The one duration parser (Go's time.ParseDuration grammar) that the analyzers and the simulator share.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../tooling/src/lib/mesh/index.ts';

describe('parseDuration', () => {
  it.each([
    ['7s', 7000],
    ['500ms', 500],
    ['0.5s', 500],
    ['1.5s', 1500],
    ['2.5s', 2500],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['0', 0],
    ['-1.5s', -1500],
    ['+2ms', 2],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['7', '7 seconds', '1d', '', 's', '5sec', ' 7s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects non-strings: a YAML number is no duration', () => {
    expect(parseDuration(7)).toBeUndefined();
  });
});
