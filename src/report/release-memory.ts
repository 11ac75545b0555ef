/**
 * A full garbage collection between the report's big phases (tables and aggregates, pages,
 * plots). Each phase leaves tens of MB of garbage that V8 would rather grow the heap past than
 * collect, and the phases' garbage stacked up: collect + report on 10,080 runs peaked at
 * ~380 MB, ~290 MB with these collections (bench/report.ts), at no measurable time.
 * `gc` is V8's own, exposed at run time (the flag applies to contexts created after it, hence
 * the new context); where that is refused, this does nothing and only memory is lost.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function releaseGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const f: unknown = runInNewContext('gc');
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
