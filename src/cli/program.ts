import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';

/** The exit code a command's action wants; actions return it instead of exiting. */
export interface ActionResult {
  exitCode: number;
}

/** Builds the `learn` program. Each command module adds itself; actions store their exit code in `result`. */
export function makeProgram(io: Io, result: ActionResult): Command {
  const program = new Command('learn')
    .description('Learn the smallest seccomp policy a program needs from what it really does, and prove it.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride((err: CommanderError) => {
      throw err;
    });
  for (const register of COMMANDS) register(program, io, result);
  return program;
}

/** Adds one subcommand to the program. */
export type RegisterCommand = (program: Command, io: Io, result: ActionResult) => void;

// Order here is the order `learn --help` lists them.
const COMMANDS: RegisterCommand[] = [];

/** Parses a positive number option, for commander's argParser. */
export function parsePositive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${value}'`);
    return n;
  };
}
