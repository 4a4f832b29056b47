import { CommanderError } from 'commander';
import { ExitCode, InputError, ToolError } from '../errors.js';
import { printable } from '../text/safe-text.js';
import { processIo, type Io } from './io.js';
import { makeProgram, type ActionResult } from './program.js';

/** Runs the CLI and returns the exit code. The only catch-all: errors become one line on stderr. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const result: ActionResult = { exitCode: ExitCode.ok };
  const debug = argv.includes('--debug') || io.env.LEARN_DEBUG === '1';
  try {
    const program = await makeProgram(io, result, argv);
    await program.parseAsync(argv.filter((a) => a !== '--debug'), { from: 'node' });
    return result.exitCode;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

function reportError(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof CommanderError) {
    // help and version "errors" are normal exits; commander already printed its message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    return ExitCode.usage;
  }
  if (error instanceof ToolError) {
    io.err(`learn: ${printable(error.message)}\n`);
    if (error instanceof InputError && error.place.text !== undefined) {
      io.err(`  ${printable(error.place.text)}\n  ${' '.repeat(Math.max(0, error.place.col - 1))}^\n`);
    }
    if (error.hint) io.err(`  hint: ${printable(error.hint)}\n`);
    if (debug && error.stack) io.err(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`learn: internal error: ${printable(message)}\n`);
  if (debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  else io.err('  (run again with --debug for the stack trace, and please report it)\n');
  return ExitCode.failed;
}
