// readText must give exactly the string readFile(path, 'utf8') gives, whatever the bytes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeText, readText } from '../../tooling/src/lib/read-text.ts';

const dir = mkdtempSync(join(tmpdir(), 'read-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readText', () => {
  const cases: [string, Buffer][] = [
    ['ASCII', Buffer.from('apiVersion: v1\nkind: ConfigMap\n')],
    ['empty', Buffer.alloc(0)],
    ['UTF-8 with accents and emoji', Buffer.from('name: café 🚀\n', 'utf8')],
    ['a BOM', Buffer.from('\uFEFFkind: Service\n', 'utf8')],
    ['invalid UTF-8 (a lone continuation byte, a truncated sequence)', Buffer.from([0x61, 0x80, 0x62, 0xe2, 0x82])],
    ['latin1 bytes that are not UTF-8', Buffer.from([0x6b, 0x3a, 0x20, 0xe9, 0x0a])],
    ['control characters and DEL', Buffer.from([0x00, 0x09, 0x1f, 0x7f, 0x0a])],
  ];
  it.each(cases)('decodes %s as UTF-8 decoding does', async (_name, bytes) => {
    const file = join(dir, `${_name.length}-${bytes.length}.yaml`);
    writeFileSync(file, bytes);
    const expected = readFileSync(file, 'utf8');
    expect(await readText(file)).toBe(expected);
    expect(decodeText(bytes)).toBe(expected);
  });

  it('agrees on every byte value alone and after ASCII text', () => {
    for (let b = 0; b < 256; b++) {
      for (const bytes of [Buffer.from([b]), Buffer.concat([Buffer.from('key: value '), Buffer.from([b, 0x0a])])]) {
        expect(decodeText(bytes)).toBe(bytes.toString('utf8'));
      }
    }
  });

  it('rejects a path that does not exist, as readFile does', async () => {
    await expect(readText(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
