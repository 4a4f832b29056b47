// Constants against argument widths. The kernel reads an `int` parameter as the low 32 bits of its register,
// so `fd == 0x100001234` can never mean what it says: on a 64-bit arch (where the high word may hold
// anything) it is an error; on i386, where the high word is always zero, its result is a constant (as Kafel
// computes it) and a warning says so. A negative constant against a 32-bit argument means the int
// (-1 is 0xffffffff), as written in C.
import type { Arch } from '../abi/arch.js';
import { placeOf } from '../catalog/places.js';
import { InputError, UsageError } from '../errors.js';
import type { ArgWidth } from '../syscalls/args.js';
import { ARG_MASK_ALL, type CmpOp, type Expr, type Rule } from './model.js';

const LOW32 = 0xffffffffn;
const SIGN_EXTENDED = (1n << 64n) - (1n << 31n);

/** Whether a 64-bit constant denotes a value of a 32-bit argument. */
export function fits32(value: bigint): boolean {
  return value <= LOW32 || value >= SIGN_EXTENDED;
}

/** The value of `x op value` for every 32-bit x when `value` is above 2^32. */
const ABOVE: Readonly<Record<CmpOp, boolean>> = { '==': false, '!=': true, '<': true, '<=': true, '>': false, '>=': false };

export function checkWidths(
  expr: Expr,
  widths: readonly ArgWidth[],
  arch: Arch,
  rule: Rule,
  fileName: string,
  warn: (w: { place: ReturnType<typeof placeOf>; message: string }) => void,
): Expr {
  const visit = (e: Expr): Expr => {
    switch (e.kind) {
      case 'true':
      case 'false':
      // Two arguments: each side is cut to its width like any argument; no constant to check.
      case 'cmp2':
        return e;
      case 'and':
      case 'or': {
        const items = e.items.map(visit);
        return items.every((x, i) => x === e.items[i]) ? e : { kind: e.kind, items };
      }
      case 'not': {
        const inner = visit(e.expr);
        return inner === e.expr ? e : { kind: 'not', expr: inner };
      }
      case 'cmp': {
        if ((widths[e.arg] ?? 64) === 64) return e;
        const maskOk = e.mask === ARG_MASK_ALL || e.mask <= LOW32;
        if (fits32(e.value) && maskOk) return e;
        const place = placeOf(e) ?? placeOf(rule);
        const name = rule.params[e.arg] ?? `arg${e.arg}`;
        const what = `\`${name}\` of \`${rule.syscall}\` is a 32-bit argument`;
        if (arch === 'i386') {
          // Zero-extended: the masked value is below 2^32, so a constant above it decides the comparison.
          if (fits32(e.value)) return e;
          const result = ABOVE[e.op];
          warn({ place, message: `${what} and ${hex(e.value)} does not fit it: on i386 \`${name} ${e.op} ${hex(e.value)}\` is always ${result}` });
          return { kind: result ? 'true' : 'false' };
        }
        const message = maskOk
          ? `${what}: the constant ${hex(e.value)} does not fit in 32 bits`
          : `${what}: the mask ${hex(e.mask)} has bits above the low 32`;
        const hint = 'the kernel reads only the low 32 bits; write the 32-bit value (a negative number means the int, -1 is 0xffffffff)';
        if (place) throw new InputError(place, message, { hint });
        throw new UsageError(`${fileName}: ${message}`, { hint });
      }
    }
  };
  return visit(expr);
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
