// The validate CLI through main(): exit codes, output formats, stdin, --skip, --fail-on and usage errors.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { main } from '../../tooling/src/cli/validate.ts';
import { escapeXml } from '../../tooling/src/lib/junit.ts';
import { captureIo } from '../helpers/io.ts';

// The CLI's own behaviour, without the analyzers other parts register (they have their own tests).
const iso = { registry: [] };

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = `${root}test/fixtures/validate`;
// An empty PATH keeps a kubeconform installed on the machine out of these tests.
const io = () => captureIo(root, { PATH: '' });

describe('npm run validate', () => {
  it('exits 0 on a clean kustomization and prints the tally', async () => {
    const c = io();
    expect(await main([`${fx}/good`], c, [], iso)).toBe(0);
    expect(c.stdoutText).toContain('5 resources: 5 valid, 0 invalid, 0 skipped; 0 errors, 0 warnings');
  });

  it('exits 1 with findings grouped by file in text output', async () => {
    const c = io();
    expect(await main([`${fx}/vs-typo-fault.yaml`, `${fx}/vs-string-weight.yaml`], c, [], iso)).toBe(1);
    const text = c.stdoutText;
    expect(text).toMatch(/test\/fixtures\/validate\/vs-string-weight\.yaml\n\s+14\s+error\s+schema\s+VirtualService bookinfo\/reviews \/spec\/http\/0\/route\/0\/weight:/);
    expect(text).toMatch(/test\/fixtures\/validate\/vs-typo-fault\.yaml\n\s+11\s+error\s+schema\s+VirtualService bookinfo\/ratings \/spec\/http\/0\/fualt: unknown field "fualt"/);
    expect(text).toContain('hint: Did you mean "fault"?');
    expect(text.trim().split('\n').at(-1)).toBe('2 resources: 0 valid, 2 invalid, 0 skipped; 2 errors, 0 warnings; kubeconform: not found');
  });

  it('prints json with findings and summary, and nothing else on stdout', async () => {
    const c = io();
    expect(await main(['--output', 'json', `${fx}/vs-typo-weight.yaml`, `${fx}/good`], c, [], iso)).toBe(1);
    const parsed = JSON.parse(c.stdoutText) as { findings: unknown[]; summary: Record<string, number> };
    expect(parsed.summary).toMatchObject({ resources: 6, valid: 5, invalid: 1, skipped: 0, errors: 1, warnings: 0, units: 2 });
    expect(parsed.findings).toEqual([
      expect.objectContaining({ rule: 'schema', severity: 'error', file: 'test/fixtures/validate/vs-typo-weight.yaml', line: 18, resource: 'VirtualService bookinfo/reviews', pointer: '/spec/http/0/route/1/wieght' }),
    ]);
    // -o is --output, as in kubectl and the other commands.
    const short = io();
    expect(await main(['-o', 'json', `${fx}/vs-typo-weight.yaml`, `${fx}/good`], short, [], iso)).toBe(1);
    expect(JSON.parse(short.stdoutText)).toEqual(parsed);
  });

  it('prints junit XML with a suite per unit, a case per resource and escaped failures', async () => {
    const c = io();
    expect(await main(['--output', 'junit', `${fx}/good`, `${fx}/vs-string-weight.yaml`, `${fx}/render-fail`], c, [], iso)).toBe(1);
    const xml = c.stdoutText;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    // The same layout as ci:junit: a first case carries the tally.
    expect(xml).toContain('<testsuite name="npm run validate" tests="1" failures="0" errors="0" skipped="0">\n    <testcase classname="npm run validate" name="6 resources in 3 units: 5 valid, 1 invalid, 0 skipped; 2 errors, 0 warnings, 0 infos, 0 silenced"/>');
    expect(xml).toContain('<testsuite name="test/fixtures/validate/good" tests="5" failures="0" errors="0" skipped="0">');
    expect(xml).toContain('<testcase classname="test/fixtures/validate/good" name="Canary bookinfo/reviews"/>');
    expect(xml).toContain('<testsuite name="test/fixtures/validate/vs-string-weight.yaml" tests="1" failures="1"');
    expect(xml).toMatch(/<failure message="&quot;weight&quot; must be an integer, not string &quot;80&quot;\." type="schema">/);
    expect(xml).toContain('<testsuite name="test/fixtures/validate/render-fail" tests="1" failures="1"');
    expect(xml).toContain('name="test/fixtures/validate/render-fail (file)"');
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
  });

  it('escapes XML metacharacters and drops characters XML cannot hold', () => {
    expect(escapeXml(`<a href='x'>"b" & c</a>\u0001`)).toBe('&lt;a href=&apos;x&apos;&gt;&quot;b&quot; &amp; c&lt;/a&gt;');
  });

  it('takes an exercise id or cluster name for its folder, and names a missing path as given, not absolute', async () => {
    const byId = io();
    expect(await main(['-o', 'json', 'fault-abort', 'workshop'], byId, [], iso)).toBe(0);
    const byPath = io();
    expect(await main(['-o', 'json', 'exercises/fault-abort', 'clusters/workshop/exercise'], byPath, [], iso)).toBe(0);
    type Report = { findings: unknown[]; summary: { units: number; resources: number } };
    const [a, b] = [JSON.parse(byId.stdoutText) as Report, JSON.parse(byPath.stdoutText) as Report];
    expect([a.findings, a.summary.units, a.summary.resources]).toEqual([b.findings, 2, b.summary.resources]);
    expect(a.summary.resources).toBeGreaterThan(20);
    const missing = io();
    expect(await main(['fault-abortt'], missing, [], iso)).toBe(1);
    expect(missing.stdoutText).toContain('Cannot read "fault-abortt": no such file or directory.');
    expect(missing.stdoutText).not.toContain(root);
  });

  it('reads standard input for -', async () => {
    const c = io();
    const stdin = async () => 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n';
    expect(await main(['-'], c, [], { stdin, registry: [] })).toBe(0);
    expect(c.stdoutText).toContain('1 resource: 1 valid');
  });

  it('honours --skip and --ignore-missing-schemas', async () => {
    const skip = io();
    expect(await main(['--skip', 'VirtualService,Canary', `${fx}/vs-typo-fault.yaml`, `${fx}/canary-no-analysis.yaml`], skip, [], iso)).toBe(0);
    expect(skip.stdoutText).toContain('2 resources: 0 valid, 0 invalid, 2 skipped');
    const ignore = io();
    expect(await main(['--ignore-missing-schemas', `${fx}/missing-schema.yaml`], ignore, [], iso)).toBe(0);
    expect(ignore.stdoutText).toContain('1 resource: 0 valid, 0 invalid, 1 skipped');
    expect(await main([`${fx}/missing-schema.yaml`], io(), [], iso)).toBe(1);
  });

  it('fails on warnings only with --fail-on warning, and never on silenced findings', async () => {
    const warn = () => [{ rule: 'w', severity: 'warning' as const, file: 'x', message: 'a warning' }];
    const silenced = () => [{ rule: 's', severity: 'error' as const, file: 'x', message: 'silenced', silenced: true }];
    expect(await main([`${fx}/good`], io(), [warn], iso)).toBe(0);
    expect(await main(['--fail-on', 'warning', `${fx}/good`], io(), [warn], iso)).toBe(1);
    const c = io();
    expect(await main(['--fail-on', 'info', `${fx}/good`], c, [silenced], iso)).toBe(0);
    expect(c.stdoutText).toContain('(1 silenced)');
  });

  it('runs no analyzers with --no-analyzers', async () => {
    const failing = () => [{ rule: 'x', severity: 'error' as const, file: 'x', message: 'an analyzer error' }];
    expect(await main([`${fx}/good`], io(), [failing], iso)).toBe(1);
    expect(await main(['--no-analyzers', `${fx}/good`], io(), [failing], iso)).toBe(0);
  });

  it('shows progress on stderr only with --verbose (or a terminal), never on stdout', async () => {
    const quiet = io();
    await main(['--output', 'json', `${fx}/good`], quiet, [], { isTTY: false, registry: [] });
    expect(quiet.stderrText).not.toContain('Rendering');
    const verbose = io();
    await main(['--verbose', '--output', 'json', `${fx}/good`], verbose, [], { isTTY: false, registry: [] });
    expect(verbose.stderrText).toContain('Rendering 1 kustomization');
    expect(() => JSON.parse(verbose.stdoutText)).not.toThrow();
  });

  it('says once that kubeconform is missing, without a terminal or --verbose, and reports it in the summary', async () => {
    for (const verbose of [[], ['--verbose']]) {
      const c = io();
      expect(await main([...verbose, '--output', 'json', `${fx}/good`, `${fx}/gitops.yaml`], c, [], { isTTY: false, registry: [] })).toBe(0);
      expect(c.stderrText.match(/kubeconform not found/g)).toHaveLength(1);
      expect((JSON.parse(c.stdoutText) as { summary: { kubeconform: string } }).summary.kubeconform).toBe('not-found');
    }
    const quiet = io();
    await main(['--quiet', `${fx}/good`], quiet, [], { isTTY: false, registry: [] });
    expect(quiet.stderrText).toBe('');
    expect(quiet.stdoutText).toContain('; kubeconform: not found');
    const off = io();
    await main(['--no-kubeconform', '--output', 'json', `${fx}/good`], off, [], { isTTY: false, registry: [] });
    expect(off.stderrText).toBe('');
    expect((JSON.parse(off.stdoutText) as { summary: { kubeconform: string } }).summary.kubeconform).toBe('disabled');
  });

  it('escapes control characters from the input in text output, and keeps JSON and JUnit valid', async () => {
    // A name that would clear the screen and start a fake line if printed raw.
    const stdin = async () => 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\e[2J\\nb\\u202Ec"\nbogus: 1\n';
    const text = io();
    expect(await main(['-'], text, [], { stdin, registry: [] })).toBe(1);
    // eslint-disable-next-line no-control-regex
    expect(text.stdoutText).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F\u202E]/);
    expect(text.stdoutText).toContain('ConfigMap a\\u001b[2J\\nb\\u202ec /bogus: unknown field "bogus"');
    const json = io();
    expect(await main(['--output', 'json', '-'], json, [], { stdin, registry: [] })).toBe(1);
    const parsed = JSON.parse(json.stdoutText) as { findings: { resource: string }[] };
    expect(parsed.findings[0]?.resource).toBe('ConfigMap a\u001b[2J\nb\u202ec');
    const junit = io();
    expect(await main(['--output', 'junit', '-'], junit, [], { stdin, registry: [] })).toBe(1);
    // eslint-disable-next-line no-control-regex
    expect(junit.stdoutText).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(junit.stdoutText).toContain('name="ConfigMap a[2J\nb\u202ec"');
  });

  it('resolves a relative --kubeconform path against the directory npm was run in', async () => {
    const c = captureIo(root, { PATH: '', INIT_CWD: `${root}test/fixtures` });
    const stdin = async () => 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc-bad-config\ndata:\n  a: b\n';
    expect(await main(['--kubeconform', 'validate/kubeconform-stand-in.mjs', '--output', 'json', '-'], c, [], { stdin, registry: [] })).toBe(1);
    const parsed = JSON.parse(c.stdoutText) as { findings: { rule: string }[]; summary: { kubeconform: string } };
    expect(parsed.summary.kubeconform).toBe('ran');
    expect(parsed.findings.map((f) => f.rule)).toEqual(['kubeconform']);
  });

  it('exits 2 for usage errors', async () => {
    for (const argv of [['--output', 'xml'], ['--fail-on', 'fatal'], ['--bogus'], ['--skip', 'Bad Kind!'], ['--kubeconform', '/nonexistent/kubeconform'], ['--kubeconform', 'x', '--no-kubeconform']]) {
      const c = io();
      expect(await main(argv, c), argv.join(' ')).toBe(2);
      expect(c.stderrText).toMatch(/^error: /);
      expect(c.stderrText).toContain('hint:');
    }
  });

  it('prints help', async () => {
    const c = io();
    expect(await main(['--help'], c, [], iso)).toBe(0);
    expect(c.stdoutText).toContain('Usage: npm run validate');
    expect(c.stdoutText).toContain('--ignore-missing-schemas');
    // Beyond the schema rules: where the other rules are documented, how to fail on them and silence them.
    for (const text of ['docs/rules.md', 'exercise-expectation', 'docs/simulate.md', '--fail-on', 'mesh-workshop.dev/ignore-rules', '--no-analyzers']) {
      expect(c.stdoutText).toContain(text);
    }
    expect(c.stdoutText).toMatch(/plain manifest file the analyzers see only that file/);
  });
});
