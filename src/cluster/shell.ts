/**
 * One shell quote for the commands bargain prints or writes (sbatch scripts, resume hints).
 * Hand-written rather than the shell-quote package: that one backslash-escapes `=`, `:`,
 * `,` and `@` (`anthropic\=25`), which the scripts' readers would then have to read past.
 */

/** A word the POSIX shell reads back as `s`: plain words as they are, anything else in single quotes. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./@+:,=%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
