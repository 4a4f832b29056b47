// The report formats of `learn diff`.
export const DIFF_FORMATS = ['text', 'json', 'markdown', 'github'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];
