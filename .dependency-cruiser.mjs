/**
 * The layers of src/ and the imports each may make, checked by `npm run lint` (docs/architecture.md explains
 * them). Type-only imports count: a layer that names another's types depends on it all the same.
 */
const layer = (name) => `^src/${name}/`

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules in a cycle can only be read, tested and changed together.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'wait-knows-no-api',
      comment: 'The engine talks to APIs only through its own contract (src/wait/ports.ts), and knows nothing of the report.',
      severity: 'error',
      from: { path: layer('wait') },
      to: { path: [layer('memos'), layer('http'), layer('report')] }
    },
    {
      name: 'report-knows-no-transport',
      comment: 'The report words the results; where they came from is not its business.',
      severity: 'error',
      from: { path: layer('report') },
      to: { path: [layer('http'), layer('memos')] }
    },
    {
      name: 'report-reads-only-results',
      comment: 'Of the engine, the report needs only what it hands over (src/wait/results.ts).',
      severity: 'error',
      from: { path: layer('report') },
      to: { path: layer('wait'), pathNot: '^src/wait/results[.]ts$' }
    },
    {
      name: 'memos-implements-only-the-contract',
      comment:
        "The API clients implement src/wait/ports.ts, and put every request through the step's one request gate " +
        '(src/wait/request-gate.ts, which the engine plans with); the loop behind them is not theirs to call.',
      severity: 'error',
      from: { path: layer('memos') },
      to: { path: [layer('wait'), layer('report')], pathNot: ['^src/wait/ports[.]ts$', '^src/wait/request-gate[.]ts$'] }
    },
    {
      name: 'http-knows-no-api',
      comment: 'The transport carries any request: it knows neither MemOS, the engine, the report nor the inputs.',
      severity: 'error',
      from: { path: layer('http') },
      to: { path: '^src/', pathNot: [layer('http'), layer('shared')] }
    },
    {
      name: 'settings-only-on-shared',
      comment: 'Reading the inputs needs nothing but the shared helpers.',
      severity: 'error',
      from: { path: layer('settings') },
      to: { path: '^src/', pathNot: [layer('settings'), layer('shared')] }
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'Every layer uses src/shared/, so it can use none of them.',
      severity: 'error',
      from: { path: layer('shared') },
      to: { path: '^src/', pathNot: layer('shared') }
    },
    {
      name: 'only-index-runs-main',
      comment: 'src/main.ts wires everything together; only the entry point starts it (and the test that runs it in process).',
      severity: 'error',
      from: { pathNot: ['^src/index[.]ts$', '^__tests__/'] },
      to: { path: '^src/main[.]ts$' }
    },
    {
      name: 'src-ships-alone',
      comment: 'src/ is what the bundle ships: no test double, benchmark, script or simulator may creep into it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(testing|bench|scripts|simulator|__tests__)/' }
    },
    {
      name: 'simulator-stands-apart',
      comment:
        'A stand-in server that shared code with the action would agree with it by construction. Its command line may ' +
        "share the scripts' option table (scripts/command-line.ts), which knows nothing of MemOS.",
      severity: 'error',
      from: { path: '^simulator/' },
      to: { path: '^(src|testing|bench|scripts|__tests__)/', pathNot: '^scripts/command-line[.]ts$' }
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // docs/architecture.svg links each module to its file, from docs/.
    prefix: '../',
    reporterOptions: {
      dot: {
        // The graph in docs/architecture.svg (npm run docs:graph): one colour per layer; type-only imports are open arrows.
        theme: {
          graph: { rankdir: 'LR', splines: 'true', fontname: 'Helvetica' },
          node: { fontname: 'Helvetica' },
          edge: { fontname: 'Helvetica' },
          modules: [
            { criteria: { source: layer('settings') }, attributes: { fillcolor: '#e8dff5' } },
            { criteria: { source: layer('wait') }, attributes: { fillcolor: '#fce1c0' } },
            { criteria: { source: layer('memos') }, attributes: { fillcolor: '#d4ecd4' } },
            { criteria: { source: layer('http') }, attributes: { fillcolor: '#cfe3f7' } },
            { criteria: { source: layer('report') }, attributes: { fillcolor: '#f7d4dc' } },
            { criteria: { source: layer('shared') }, attributes: { fillcolor: '#eeeeee' } }
          ]
        }
      }
    }
  }
}
