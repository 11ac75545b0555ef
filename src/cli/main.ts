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
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof UserError) {
    process.stderr.write(`bargain: ${err.message}\n`);
    return err.exitCode;
  }
  const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`bargain: internal error, please report it: ${msg}\n`);
  return 1;
}

const isEntry = process.argv[1] && /(?:^|[\\/])(main\.ts|bargain(\.mjs)?)$/.test(process.argv[1]);
if (isEntry || process.env.BARGAIN_CLI_ENTRY === '1') {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
