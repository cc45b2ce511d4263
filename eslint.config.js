// ESLint for the whole tree: ESLint's recommended rules and typescript-eslint's type-aware recommendedTypeChecked
// (the rules that need the type checker catch what tsc lets through: floating promises, awaiting non-promises,
// unsafe `any` flowing into typed code). Formatting is Prettier's job (`npm run format`), so no style rules here.
// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'out/', 'data/', '.mid-data/', 'coverage/', 'test/bench/tmp/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    rules: {
      // The house convention for a deliberately unused binding is a leading underscore (tsc's noUnusedLocals agrees).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Off: `async` without `await` is how this code implements Promise-returning ports and callbacks (a throw then
      // becomes a rejection, as the caller expects).
      '@typescript-eslint/require-await': 'off',
      // Off: ~300 of its findings are `!` on indexed access, which tsc will demand once noUncheckedIndexedAccess is on.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // EMOJI_RE matches emoji code points one at a time, joiners and variation selectors included, on purpose.
    files: ['pipelines/text-patterns.ts'],
    rules: { 'no-misleading-character-class': 'off' },
  },
  {
    // Plain JavaScript (the bin shims, tool configs) is outside tsconfig: no type information for it.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', URL: 'readonly' },
    },
  },
  {
    // The triage application's client scripts run in the browser (served as static files, no build step).
    files: ['dashboards/triage/static/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'alert',
          'prompt',
          'confirm',
          'fetch',
          'FormData',
          'URL',
          'URLSearchParams',
          'Event',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
          'requestAnimationFrame',
          'console',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
