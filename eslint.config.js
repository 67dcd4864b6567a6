// Type-aware lint for the whole tree (src, checks, mocks, test, bench, scripts): typescript-eslint's
// strictTypeChecked + stylisticTypeChecked in flat config. A rule that does not fit this code is
// switched off here with its reason (STYLE.md rule 13), never per line without one.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'vitest.config.ts', '.dependency-cruiser.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The bugs the issue names: errors here whatever the presets do next.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unnecessary-condition': 'error',
      // tsconfig has noUncheckedIndexedAccess, so every indexed read is `T | undefined`; `!` marks the
      // reads the line before already bounds (regex groups, split parts, a length check).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Counts, port numbers and flags are printed in messages all the time; objects and unknowns
      // ("[object Object]") stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `_`-prefixed names and rest siblings are the idiom for "dropped on purpose" (a secret left
      // out of a copy, a callback parameter the signature requires).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A waiter passes the awaited promise's own rejection through unchanged; it is not ours to wrap.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // ARM answers and Node's stream flags are declared tighter than what arrives at run time (an id
      // read from JSON, `process.stdout.isTTY` undefined when piped): those conversions are defence.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
    },
  },
  {
    // Tests read reports and ARM answers through JSON.parse and assert on their shape: a wrong shape
    // fails the assertion, which is the check. World generators build free-form ARM JSON that the
    // world schema (zod) validates before a world is written or served.
    files: ['test/**/*.ts', 'mocks/worlds/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // execFile's rejection has a documented shape (code, stdout, stderr); the assertion after it fails on any other.
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
    },
  },
  {
    // zod only through src/base/zod.ts (zod/mini with English messages): classic zod would put ~450 KB
    // back into every start, and bare zod/mini answers "Invalid input" where our messages embed zod's.
    files: ['src/**/*.ts', 'checks/**/*.ts', 'mocks/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/base/zod.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: "import * as z from 'src/base/zod.js' (zod/mini with English messages)" }],
          patterns: [{ group: ['zod/*'], message: "import * as z from 'src/base/zod.js' (zod/mini with English messages)" }],
        },
      ],
    },
  },
  {
    // The mock and the tests edit free-form ARM JSON by key, the way a mutation describes it.
    files: ['test/**/*.ts', 'mocks/**/*.ts'],
    rules: { '@typescript-eslint/no-dynamic-delete': 'off' },
  },
  {
    // Plain JS config files: no type information to lint them with.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
