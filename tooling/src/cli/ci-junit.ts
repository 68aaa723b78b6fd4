// `npm run ci:junit`: turns the JSON report of one `npm run validate` run into JUnit XML for the CI check
// run, so validate.yml validates once and writes both reports from it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { command, defaultIo, invocationDir, runIfMain, type Io } from '../lib/cli.ts';
import { NotFoundError, UsageError } from '../lib/errors.ts';
import { formatJunit } from '../lib/junit.ts';
import { parseValidationReport } from '../lib/ci/summary.ts';

const HELP = `Usage: npm run ci:junit -- --validation <file>

Prints the JUnit XML test report of a validation run, read from its JSON report:
one test suite per file with findings, one test case per resource, failing on
unsilenced errors, and a first case that carries the run's tally.

Options:
      --validation <file>  output of \`npm run --silent validate -- --output json\`
  -h, --help               show this help
      --debug              print stack traces on errors

Example:
  npm run --silent ci:junit -- --validation reports/validate.json > reports/validate.xml

Exit codes: 0 report printed, 1 the JSON report could not be read, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    positionals: false,
    options: {
      validation: { type: 'string' },
    },
  }, async ({ values }) => {
    const file = values.validation;
    if (file === undefined) throw new UsageError('--validation <file> is required.', 'Pass the output of `npm run --silent validate -- --output json`.');
    let text: string;
    try {
      text = await readFile(resolve(invocationDir(io), file), 'utf8');
    } catch {
      throw new NotFoundError(`Cannot read the validation report file ${JSON.stringify(file)}.`, 'Check the path; it is relative to the directory the command was run from.');
    }
    io.stdout(formatJunit(parseValidationReport(text, file)));
    return 0;
  });
}

runIfMain(import.meta.url, main);
