/**
 * Your own mutation operators and generator kinds, for the properties of your case files. This
 * module is loaded with the property runner (by `sigmatest run`, `gate` and `sigmaCases`), so what
 * it registers is known to every case file. Empty as shipped; for example:
 *
 * ```ts
 * import fc from 'fast-check';
 * import { registerGeneratorKind } from './expressions.js';
 * import { registerOperator } from './mutations.js';
 *
 * // mutate: {Image: to-unc}: the same file reached through the administrative share.
 * registerOperator({
 *   name: 'to-unc',
 *   summary: 'C:\\x\\y.exe as \\\\HOST\\C$\\x\\y.exe',
 *   mutate: (value) => fc.constantFrom('WS01', 'FILESRV').map((host) => value.replace(/^([A-Za-z]):/, `\\\\${host}\\$1$`)),
 *   check: (value) => (/^[A-Za-z]:\\/.test(value) ? undefined : 'is not a path on a drive'),
 * });
 *
 * // {gen: ticket, min: 1, max: 500}: ticket numbers of your change process.
 * registerGeneratorKind({
 *   name: 'ticket',
 *   summary: 'a change ticket, CHG-000123',
 *   options: ['min', 'max'],
 *   build: (o) => fc.integer({ min: o.min ?? 1, max: o.max ?? 999_999 }).map((n) => `CHG-${String(n).padStart(6, '0')}`),
 * });
 * ```
 */
export {};
