// What learners should do and observe after a promotion merges, and which exercise comes next:
// the pointer moves and the catalog in, one Markdown message out (job summary and PR comment).
import type { Exercise } from '../exercises.ts';
import type { PointerMove } from './git.ts';
import { code, md } from '../markdown.ts';

/** Marks the bot's comment so a re-run finds it instead of commenting twice. */
export const POST_MERGE_MARKER = '<!-- mesh-workshop:post-merge -->';

export interface ClusterOutcome {
  cluster: string;
  from?: string;
  to?: string;
  /** The exercise after `to` in catalog order; undefined at the end of the workshop. */
  next?: string;
  /** Why the message for this cluster is incomplete (unknown exercise, unreadable pointer). */
  problem?: string;
}

export interface PostMergeMessage {
  /** Markdown, starting with POST_MERGE_MARKER; empty when no pointer moved. */
  markdown: string;
  clusters: ClusterOutcome[];
  /** True when some cluster points at something the catalog does not have. */
  problems: boolean;
}

function outcome(move: PointerMove, exercises: readonly Exercise[]): ClusterOutcome {
  const result: ClusterOutcome = { cluster: move.cluster };
  if (move.from !== undefined) result.from = move.from;
  if (move.to !== undefined) result.to = move.to;
  if (move.error !== undefined) {
    result.problem = move.error;
    return result;
  }
  if (move.to === undefined) return result;
  const index = exercises.findIndex((e) => e.id === move.to);
  if (index === -1) {
    result.problem = `The pointer names "${move.to}", which is not in the exercise catalog.`;
    return result;
  }
  const next = exercises[index + 1];
  if (next) result.next = next.id;
  return result;
}

function section(o: ClusterOutcome, exercises: readonly Exercise[]): string[] {
  const out: string[] = [];
  const from = o.from === undefined ? 'a new cluster' : code(o.from);
  if (o.to === undefined && o.problem === undefined) {
    out.push(`## ${code(o.cluster)} no longer has an exercise pointer`, '', `It ran ${from}; its pointer file was removed.`);
    return out;
  }
  const target = exercises.find((e) => e.id === o.to);
  if (o.problem !== undefined || !target) {
    out.push(`## ⚠️ ${code(o.cluster)}: cannot describe this promotion`, '', md(o.problem ?? 'Unknown exercise.'), '',
      'Run `npm run exercises` to list the catalog and `npm run validate` to check the pointer.');
    return out;
  }
  out.push(`## 🚀 ${code(o.cluster)} now runs ${code(target.id)}: ${md(target.section)} ${md(target.title)}`, '');
  out.push(`Moved from ${from}. ${md(target.summary)}`, '');
  out.push('Once Argo CD or Flux has synced the merge commit:', '');
  if (target.afterMerge.do.length > 0) {
    out.push('**Do now**', '', ...target.afterMerge.do.map((step, i) => `${i + 1}. ${md(step)}`), '');
  }
  if (target.afterMerge.observe.length > 0) {
    out.push('**What you should observe**', '', ...target.afterMerge.observe.map((item) => `- ${md(item)}`), '');
  }
  const next = exercises.find((e) => e.id === o.next);
  if (next) {
    out.push(`**Next exercise:** ${code(next.id)}: ${md(next.section)} ${md(next.title)}. ` +
      `Promote it from the Actions tab (workflow "Promote", exercise ${code(next.id)}, cluster ${code(o.cluster)}) ` +
      `or run \`npm run promote -- ${next.id} --cluster ${o.cluster}\`.`);
  } else {
    out.push('**This is the last exercise of the workshop.**');
  }
  return out;
}

/** The message for every pointer that moved, or an empty markdown string when none did. */
export function postMergeMessage(moves: readonly PointerMove[], exercises: readonly Exercise[]): PostMergeMessage {
  const clusters = moves.map((m) => outcome(m, exercises));
  if (clusters.length === 0) return { markdown: '', clusters, problems: false };
  const parts = clusters.map((o) => section(o, exercises).join('\n'));
  const markdown = `${POST_MERGE_MARKER}\n${parts.join('\n\n---\n\n')}\n`;
  return { markdown, clusters, problems: clusters.some((o) => o.problem !== undefined) };
}
