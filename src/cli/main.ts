/**
 * The bargain CLI entry: parses argv, dispatches to one command module each, and maps
 * errors to exit codes (UserError -> its message on one line, exit 2; ExitError -> its
 * code; anything else -> "internal error", exit 1). Commands stay thin (STYLE §5).
 */
import { Command, CommanderError } from 'commander';
import { ExitError, UserError } from '../errors.ts';
import { registerCommands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('bargain')
    .description('Scaling experiments on LLM negotiation: weak x strong models x competition levels')
    .version('0.1.0')
    .configureOutput({ outputError: (str, write) => write('bargain: ' + str.replace(/^error: /, '')) })
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" to commander; its message was already printed
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return 0;
    return 2;
  }
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof UserError) {
    process.stderr.write(`bargain: ${err.message}\n`);
    return err.exitCode;
  }
  // A file the user's environment will not let us write (a read-only part of the results
  // directory, a full disk) is bad input, not a bug: one line naming the path and the fix.
  const fsError = fileSystemProblem(err);
  if (fsError) {
    process.stderr.write(`bargain: ${fsError}\n`);
    return 2;
  }
  const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`bargain: internal error, please report it: ${msg}\n`);
  return 1;
}

const FS_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

function fileSystemProblem(err: unknown): string | null {
  const e = err as (NodeJS.ErrnoException & { dest?: unknown }) | null;
  if (
    !e ||
    typeof e !== 'object' ||
    typeof e.code !== 'string' ||
    !(e.code in FS_PROBLEMS) ||
    typeof e.syscall !== 'string'
  )
    return null;
  const fix =
    e.code === 'ENOSPC' || e.code === 'EDQUOT'
      ? 'free some space'
      : e.code === 'EISDIR' || e.code === 'ENOTDIR'
        ? 'move what is in the way aside'
        : 'fix its permissions';
  const verb = e.code === 'EACCES' || e.code === 'EPERM' ? 'cannot access' : 'cannot write';
  // a rename names the temporary file first: the destination is what the user must see
  const path = typeof e.dest === 'string' ? e.dest : e.path;
  return `${verb} ${typeof path === 'string' ? path : 'the results'} (${FS_PROBLEMS[e.code]}); ${fix} or choose another --results-dir`;
}

const isEntry = process.argv[1] && /(?:^|[\\/])(main\.ts|bargain(\.mjs)?)$/.test(process.argv[1]);
if (isEntry || process.env.BARGAIN_CLI_ENTRY === '1') {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
