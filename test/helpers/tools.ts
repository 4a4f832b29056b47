// Which Debian tools a test needs are missing here: the reason a test prints when it skips.
import { execFileSync } from 'node:child_process';

/** The first of `tools` not on PATH, as a skip reason; null when all are there. */
export function missingTool(tools: readonly string[]): string | null {
  for (const tool of tools) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return null;
}
