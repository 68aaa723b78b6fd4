// Counts in messages for people.

/** `1 resource`, `2 resources`, `3 tries`: irregular plurals are given, not guessed. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
