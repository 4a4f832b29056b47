// Text from outside (profile names, executable paths, commands, file names) on its way to a terminal or into a
// file header: control characters would move the cursor, recolour the screen or start a new line in a systemd
// drop-in; bidi controls would show a name other than the one stored. Each becomes a visible escape.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function hasUnsafeChars(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/** `text` with every control or bidi character shown as \xNN or \u{NNNN}. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `text` with every control or bidi character replaced by `by`. */
export function replaceUnsafe(text: string, by: string): string {
  return text.replace(UNSAFE, by);
}
