// verify and cluster add never echo a secret they were handed by mistake: a broken kubeconfig's tokens and keys,
// or credentials in a repository URL.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../tooling/src/lib/verify/kube.ts';
import { checkRepoUrl } from '../../tooling/src/lib/cluster/template.ts';

describe('secrets stay out of error messages', () => {
  it('a kubeconfig that is not valid YAML is named, with the parser position, without its lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
    try {
      const file = join(dir, 'config');
      await writeFile(file, 'apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: SECRETTOKEN123\n    client-key-data: "SECRETKEYDATA\n');
      const error = await connect({ env: { KUBECONFIG: file } }).then(() => undefined, (e: Error) => e);
      expect(error?.message).toMatch(/^Cannot read the kubeconfig /);
      expect(error?.message).toContain(file);
      expect(error?.message).not.toContain('SECRET');
      expect(error?.message.split('\n')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a repository URL with credentials is refused without showing them', () => {
    let message = '';
    try {
      checkRepoUrl('https://x:ghp_tok3n@github.com/a/b.git');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('Cannot use "https://***@github.com/a/b.git" as the repository URL: it carries credentials.');
  });
});
