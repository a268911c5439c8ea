import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const features = readdirSync(`${root}/src/features`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** The client's timing core: no React, no DOM, no HTTP client; the session provider wires it to them. */
const timingCore = ['session-state', 'heartbeat-scheduler', 'activity-broadcaster', 'session-holds', 'session-monitor'];

/**
 * The architecture as import rules (docs/decisions/008-one-copy-and-feature-boundaries.md,
 * docs/design.md#code-map): `lib` and `shared` -> features -> `app`. A feature imports another
 * only through its public `index.ts`.
 */
function boundaryZones() {
  return [
    ...features.map((feature) => ({
      target: `./src/features/${feature}`,
      from: './src/features',
      except: [`./${feature}`, ...features.filter((other) => other !== feature).map((other) => `./${other}/index.ts`)],
      message: `A feature imports another only through its public index.ts (import from '../<feature>'), never its files.`,
    })),
    {
      target: './src/features',
      from: './src/app',
      message: 'Features do not import the app: app/ composes the features.',
    },
    {
      target: './src/lib',
      from: ['./src/features', './src/app'],
      message: 'lib/ sits below the features: it imports no feature and no app code.',
    },
    {
      target: './shared',
      from: ['./src', './server', './mocks'],
      message: 'shared/ is what the SPA and the server both import; it imports neither.',
    },
    {
      target: './server',
      from: ['./src', './mocks'],
      message: 'The server imports neither the SPA nor the mocks.',
    },
    {
      target: ['./server/session', './server/notes', './server/stores'],
      from: ['./server/http', './server/routes', './server/app.ts', './server/config.ts'],
      message:
        'Session rules, notes and stores know nothing of HTTP or of reading the environment: they take a SessionConfig (session/policy.ts) and a Clock (session/clock.ts) as data.',
    },
    {
      target: timingCore.map((name) => `./src/features/session/${name}.ts`),
      from: './src',
      except: timingCore.map((name) => `./features/session/${name}.ts`),
      message:
        'The timing core (docs/design.md#timing-model) imports nothing from the app, lib/ included: it is plain TypeScript over callbacks, reusable as it is.',
    },
  ];
}

const boundaries = () => ['error', { basePath: root, zones: boundaryZones() }];

export default tseslint.config(
  { ignores: ['dist', 'build', 'node_modules', 'test-results', 'playwright-report', 'coverage', 'data'] },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    settings: {
      // Resolves relative imports to files, so a zone sees `../auth` as `auth/index.ts`.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.d.mts'] })],
      // no-cycle follows imports only into files it can parse: TypeScript ones too.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-restricted-paths': boundaries(),
      // Type-only imports are not cycles (they vanish at build): features may name each other's types.
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The SPA sees the server only through the wire contract's types. shared/credentials.ts
      // (two constants of the demo rule) is imported as values.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/server/**'], message: 'The SPA must not import server code.' },
            {
              group: ['**/shared/contract'],
              allowTypeImports: true,
              message: 'Import the contract with `import type`.',
            },
          ],
        },
      ],
    },
  },
);
