// Local copies of the validate pipeline's unit and analyzer shapes. They are structurally identical to the
// ones in validate/index.ts, so this module never imports the CLI side and stays a pure library.
import type { Finding } from '../findings.ts';
import type { SourcedResource } from '../manifests.ts';

export interface RenderedUnit {
  source: string;
  kind: 'kustomization' | 'file' | 'stdin';
  resources: SourcedResource[];
}

export type Analyzer = (unit: RenderedUnit, ctx: { root: string }) => Finding[] | Promise<Finding[]>;
