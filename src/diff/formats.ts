// The report formats of `learn diff`.
export const DIFF_FORMATS = ['text', 'json', 'markdown', 'github', 'gitlab', 'html'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];
