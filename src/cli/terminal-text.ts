/**
 * Text from syslog senders, made safe to print to an operator's terminal. Escape sequences (ESC,
 * 8-bit CSI), CR and LF can repaint the screen or forge lines; bidi overrides (U+202E…) and zero
 * width characters can make text read differently from what it is. They are shown as escapes.
 */

/** C0 and C1 controls and DEL, format characters (bidi controls, zero width, BOM…), line and paragraph separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** UNSAFE but LF, which JSON.stringify only writes between values (indentation), never in a string. */
const UNSAFE_IN_JSON = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0');

/**
 * `\n`, `\r`, `\t`, `\xHH` below U+0100, `\uHHHH` and `\u{HHHHH}` above: the JavaScript
 * spellings. A backslash is left as it is, so ordinary text (Windows paths) reads unchanged.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.codePointAt(0)!;
    return SHORT_ESCAPES[char] ?? (code < 0x100 ? `\\x${hex(code, 2)}` : code <= 0xffff ? `\\u${hex(code, 4)}` : `\\u{${hex(code, 5)}}`);
  });
}

/**
 * JSON.stringify escapes only U+0000-U+001F in strings; this also escapes the rest of UNSAFE
 * (DEL, C1, bidi…) as \uHHHH, which any JSON parser reads back to the same string. Outside
 * strings JSON.stringify writes nothing unsafe but LF, so the replacement never touches syntax.
 */
export function jsonForTerminal(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (char) =>
    Array.from({ length: char.length }, (_, i) => `\\u${hex(char.charCodeAt(i), 4)}`).join(''),
  );
}
