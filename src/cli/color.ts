// Colour for text on stdout, loaded by the commands that print it (chalk is not needed to start a trace).
import chalk, { Chalk, type ChalkInstance } from 'chalk';

/** chalk at the level it detected when colour is on, a no-op painter when it is off. */
export function painter(on: boolean): ChalkInstance {
  return on ? chalk : new Chalk({ level: 0 });
}
