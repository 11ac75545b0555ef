/**
 * The project's small error vocabulary (STYLE §5). A UserError is bad input: its
 * message names the problem and the fix, and the CLI prints it as one line (exit 2).
 * ExitError carries an exit code whose message was already printed.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
  }
}
