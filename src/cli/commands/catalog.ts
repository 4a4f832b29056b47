// `learn catalog [NAME|FILE] [CATEGORY]`: the built-in catalogs, a catalog's categories, or one category.
import type { Command } from 'commander';
import { ARCHES, isArch, type Arch } from '../../abi/arch.js';
import { builtinCatalogNames, categorySyscalls, loadCatalog, type Catalog } from '../../catalog/catalogs.js';
import { UsageError } from '../../errors.js';
import { printRule } from '../../policy/emit/kafel.js';
import { usesOf } from '../../policy/model.js';
import type { Io } from '../io.js';
import type { ActionResult } from '../program.js';

interface CatalogOptions {
  readonly arch?: string;
  readonly json?: boolean;
}

export function registerCatalog(program: Command, io: Io, _result: ActionResult): void {
  program
    .command('catalog')
    .description('list the category catalogs, the categories of one (built-in name or .policy file), or one category')
    .argument('[catalog]', `a built-in catalog (${builtinCatalogNames().join(', ')}) or a path to a .policy file`)
    .argument('[category]', 'show this category with its rules')
    .option('--arch <arch>', `syscall table to list against (${ARCHES.join(', ')}; default: this machine's)`)
    .option('--json', 'print JSON')
    .action((catalog: string | undefined, category: string | undefined, options: CatalogOptions) => {
      const arch = archOption(options.arch);
      if (catalog === undefined) listCatalogs(io, options.json === true);
      else if (category === undefined) listCategories(io, loadCatalog(catalog), arch, options.json === true);
      else showCategory(io, loadCatalog(catalog), category, arch, options.json === true);
    });
}

/** `--arch`, or the arch this process runs on. */
export function archOption(value: string | undefined): Arch {
  const name = value ?? ({ x64: 'x86_64', ia32: 'i386', arm64: 'aarch64' } as Record<string, string>)[process.arch] ?? process.arch;
  if (!isArch(name)) throw new UsageError(`unknown arch '${name}': use one of ${ARCHES.join(', ')}`);
  return name;
}

function listCatalogs(io: Io, json: boolean): void {
  const rows = builtinCatalogNames().map((name) => {
    const c = loadCatalog(name);
    return { name, file: c.file, categories: c.defs.size };
  });
  if (json) return io.out(`${JSON.stringify(rows, null, 2)}\n`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) io.out(`${r.name.padEnd(width)}  ${String(r.categories).padStart(3)} categories\n`);
  io.out('\nShow one with `learn catalog NAME`, or pass your own catalog file: `learn catalog ./my.policy`.\n');
}

function listCategories(io: Io, catalog: Catalog, arch: Arch, json: boolean): void {
  const rows = [...catalog.defs.values()].map((def) => {
    const granted = categorySyscalls(catalog, def.name, arch);
    const conditional = [...granted].filter(([, rules]) => rules.every((r) => r.when !== null)).map(([n]) => n);
    return { name: def.name, uses: usesOf(def.body), size: granted.size, syscalls: [...granted.keys()], conditional };
  });
  if (json) return io.out(`${JSON.stringify({ catalog: catalog.name, file: catalog.file, arch, categories: rows }, null, 2)}\n`);
  io.out(`${catalog.name} (${catalog.file}), ${rows.length} categories on ${arch}; * = argument conditions\n\n`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const members = r.syscalls.map((n) => (r.conditional.includes(n) ? `${n}*` : n)).join(' ');
    const uses = r.uses.length > 0 ? ` (uses ${r.uses.join(', ')})` : '';
    io.out(`${r.name.padEnd(width)}  ${String(r.size).padStart(3)}  ${members}${uses}\n`);
  }
}

function showCategory(io: Io, catalog: Catalog, name: string, arch: Arch, json: boolean): void {
  const granted = categorySyscalls(catalog, name, arch);
  const def = catalog.defs.get(name)!;
  const used = usesOf(def.body);
  const rows = [...granted].map(([syscall, rules]) => ({ syscall, rules: rules.map((r) => printRule(r)) }));
  if (json) return io.out(`${JSON.stringify({ catalog: catalog.name, category: name, arch, uses: used, doc: def.doc, syscalls: rows }, null, 2)}\n`);
  for (const line of def.doc) io.out(`// ${line}\n`);
  const uses = used.length > 0 ? `, uses ${used.join(', ')}` : '';
  io.out(`${name} (catalog ${catalog.name}${uses}): ${rows.length} syscalls on ${arch}\n`);
  for (const r of rows) for (const rule of r.rules) io.out(`  ${rule}\n`);
}
