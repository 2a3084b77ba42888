// User input echoed in a message (a flag value, a path, a CSV column name, a checkpoint's
// target) is shown with its control bytes escaped, so that a crafted value cannot move the
// cursor, recolour the terminal or set its title (ESC ] 0 ; ... BEL).

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character written as \xNN (or \uNNNN). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `text` in single quotes, control characters escaped: for names and paths inside a message. */
export function quote(text: string): string {
  return `'${escapeControls(text)}'`;
}
