// Stage 5 of validate, analyzers: runs every registered analyzer (mesh policy rules, exercise expectations)
// on one unit. An analyzer that throws is a bug in it, reported as an `analyzer` finding; the others still run.
import type { Finding } from '../findings.ts';
import { append, type Analyzer, type AnalyzerContext, type RenderedUnit } from './types.ts';

export interface Analyzed {
  /** What the analyzers found on the unit's resources. */
  findings: Finding[];
  /** Analyzers that failed. */
  failures: Finding[];
}

export async function analyze(unit: RenderedUnit, analyzers: readonly Analyzer[], ctx: AnalyzerContext): Promise<Analyzed> {
  const findings: Finding[] = [];
  const failures: Finding[] = [];
  for (const analyzer of analyzers) {
    try {
      append(findings, await analyzer(unit, ctx));
    } catch (error) {
      failures.push({
        rule: 'analyzer',
        severity: 'error',
        file: unit.source,
        message: `An analyzer (${analyzer.name || 'anonymous'}) failed: ${(error as Error).message}`,
        hint: 'This is a bug in the analyzer; run with --debug and report it.',
      });
    }
  }
  return { findings, failures };
}
