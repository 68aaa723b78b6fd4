// simulate of a target that validate rejects still predicts, but says so on stderr and how to see why.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../tooling/src/cli/simulate.ts';
import { captureIo } from '../helpers/io.ts';
import { REPO } from './helpers.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'simulate-warning-'));
  for (const dir of ['apps', 'exercises', 'clusters']) await cp(join(REPO, dir), join(root, dir), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function edit(file: string, from: RegExp, to: string): Promise<void> {
  const text = await readFile(join(root, file), 'utf8');
  expect(text).toMatch(from);
  await writeFile(join(root, file), text.replace(from, to));
}

describe('simulate and validate', () => {
  it('says nothing for a target validate accepts', async () => {
    const io = captureIo(root);
    expect(await main(['shift-50-v3'], io)).toBe(0);
    expect(io.stderrText).toBe('');
  });

  it('warns when the weights do not add up, and still prints the prediction', async () => {
    await edit('apps/bookinfo/routing/reviews-50-v3/virtual-service-reviews-50-v3.yaml', /weight: 50/, 'weight: 40');
    const io = captureIo(root);
    expect(await main(['shift-50-v3'], io)).toBe(0);
    expect(io.stderrText).toBe(
      'Warning: npm run validate rejects exercises/shift-50-v3 (1 error; first: vs-weights-invalid VirtualService bookinfo/reviews /spec/http/0/route: VirtualService bookinfo/reviews splits a route 40 + 50 = 90, not 100 (an unset weight counts as 0)). The cluster would not run it as written, so this prediction may not happen. Run `npm run validate -- exercises/shift-50-v3` to see every finding.',
    );
    expect(io.stdoutText).toContain('anonymous');
  });

  it('warns about a misspelled field', async () => {
    await edit('apps/bookinfo/routing/ratings-jason-delay/virtual-service-ratings-jason-delay.yaml', /fault:/, 'fualt:');
    const io = captureIo(root);
    expect(await main(['fault-delay'], io)).toBe(0);
    expect(io.stderrText).toMatch(/^Warning: npm run validate rejects exercises\/fault-delay \(1 error; first: schema VirtualService bookinfo\/ratings \/spec\/http\/0\/fualt: unknown field "fualt"/);
    expect(io.stderrText).toContain('Run `npm run validate -- exercises/fault-delay` to see every finding.');
  });
});
