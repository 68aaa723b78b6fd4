import { describe, expect, it } from 'vitest';
import { redact } from '../../tooling/src/lib/git.ts';
import { tokenFrom } from '../../tooling/src/lib/github.ts';

describe('secrets in output', () => {
  it('redacts a token padded with whitespace in both forms, and credentials in URLs', () => {
    const padded = ' ghp_SECRETSECRET123456 ';
    expect(redact('Bad credentials: got token ghp_SECRETSECRET123456', [padded])).toBe('Bad credentials: got token ***');
    expect(redact(`token=${padded}!`, [padded])).toBe('token=***!');
    expect(redact('fatal: https://x-access-token:abc@github.com/o/r.git')).toBe('fatal: https://***@github.com/o/r.git');
  });

  it('reads the token trimmed, GITHUB_TOKEN before GH_TOKEN', () => {
    expect(tokenFrom({ GITHUB_TOKEN: ' a1 \n', GH_TOKEN: 'b2' })).toBe('a1');
    expect(tokenFrom({ GITHUB_TOKEN: '  ', GH_TOKEN: 'b2' })).toBe('b2');
    expect(tokenFrom({})).toBeUndefined();
  });
});
