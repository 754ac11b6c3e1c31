// The layer rules of DESIGN.md, checked on every run so that new sources and
// routes keep to them: the domain depends on nothing of ours, ports only on
// the domain, adapters never on the HTTP or job layers, jobs never on the
// wiring layer, and no import cycles anywhere.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const LAYERED = ['src', 'routes', 'jobs']

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
}

/** Relative imports (static, dynamic, re-exports, type-only) of one file, as paths from the project root. */
export function localImports(file: string, text: string): string[] {
  const specifiers = new Set<string>()
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm]
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) specifiers.add(match[1]!)
  return [...specifiers].filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(root, dirname(file), s)))
}

const graph = new Map<string, string[]>()
for (const file of LAYERED.flatMap(sourceFiles)) graph.set(file, localImports(file, readFileSync(join(root, file), 'utf8')))

interface Rule {
  name: string
  from: (file: string) => boolean
  forbidden: (target: string) => boolean
}

const under = (folder: string) => (file: string) => file.startsWith(`${folder}/`)
const ADAPTER_FOLDERS = ['src/storage', 'src/mail', 'src/aws', 'src/sources', 'src/fs', 'src/net', 'src/intake']

export const RULES: Rule[] = [
  { name: 'src/domain imports nothing of ours outside the domain', from: under('src/domain'), forbidden: (to) => !under('src/domain')(to) },
  {
    name: 'src/ports imports only the domain and other ports',
    from: under('src/ports'),
    forbidden: (to) => !under('src/domain')(to) && !under('src/ports')(to),
  },
  {
    name: 'adapters never import routes or jobs',
    from: (file) => ADAPTER_FOLDERS.some((folder) => under(folder)(file)),
    forbidden: (to) => under('routes')(to) || under('jobs')(to),
  },
  {
    name: 'jobs never import the wiring layer',
    from: under('jobs'),
    forbidden: (to) => to === 'src/services.ts' || to === 'src/runtime.ts' || to === 'src/app.ts',
  },
  {
    name: 'src/pipeline never imports routes or jobs',
    from: under('src/pipeline'),
    forbidden: (to) => under('routes')(to) || under('jobs')(to),
  },
]

export function violations(imports: Map<string, string[]>, rules: Rule[] = RULES): string[] {
  const found: string[] = []
  for (const [file, targets] of imports) {
    for (const rule of rules) {
      if (!rule.from(file)) continue
      for (const target of targets) if (rule.forbidden(target)) found.push(`${rule.name}: ${file} imports ${target}`)
    }
  }
  return found
}

/** Every import cycle, each reported once as the path that closes it. */
export function cycles(imports: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    path.push(file)
    for (const target of imports.get(file) ?? []) {
      if (state.get(target) === 'open') found.push([...path.slice(path.indexOf(target)), target])
      else if (!state.has(target)) visit(target)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of imports.keys()) if (!state.has(file)) visit(file)
  return found
}

t.test('the checker itself finds what it is meant to find', async (t) => {
  const bad = new Map([
    ['src/domain/a.ts', ['src/ports/b.ts']],
    ['src/ports/b.ts', ['src/storage/c.ts']],
    ['src/storage/c.ts', ['routes/d.ts']],
    ['jobs/e.ts', ['src/services.ts']],
    ['src/pipeline/f.ts', ['src/pipeline/g.ts']],
    ['src/pipeline/g.ts', ['src/pipeline/f.ts']],
  ])
  t.equal(violations(bad).length, 4)
  t.same(cycles(bad), [['src/pipeline/f.ts', 'src/pipeline/g.ts', 'src/pipeline/f.ts']])
  t.same(localImports('jobs/x.ts', "import type { A } from '../src/a.ts'\nconst m = await import('./m.ts')\nimport 'node:fs'"), [
    'src/a.ts',
    'jobs/m.ts',
  ])
})

t.test('every file keeps to the layer rules', async (t) => {
  t.ok(graph.size > 30, `read ${graph.size} source files`)
  t.same(violations(graph), [])
})

t.test('there are no import cycles', async (t) => {
  t.same(cycles(graph), [])
})
