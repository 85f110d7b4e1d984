// ESLint flat config (type-aware), kept under .ci/ so the top level stays as the product
// card fixes it; `npm run lint` passes it with --config.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SDKS = ['grammy', 'grammy/*', '@grammyjs/*', 'wechaty', 'wechaty-*', 'wechaty/*', 'botkit', 'botbuilder*'];

export default tseslint.config(
  { basePath: '..', ignores: ['node_modules/**', 'src/db/generated/**', 'data/**', 'coverage/**', '.ci/**'] },
  // The compiled copy `npm start` runs (tsconfig.build.json).
  { ignores: ['**/dist/**'] },
  {
    basePath: '..',
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: globals.node,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: new URL('..', import.meta.url).pathname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Channel code never leaks past bots/: the engine, the pipeline and the flows stay SDK-free.
    basePath: '..',
    files: ['src/**/*.ts', 'flows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: SDKS, message: 'Chat SDKs belong in bots/ only.' }] }],
    },
  },
  {
    // Flows are data: they name effects and never reach the database or the network.
    basePath: '..',
    files: ['flows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: SDKS, message: 'Chat SDKs belong in bots/ only.' },
            { group: ['@prisma/*', '**/db/*', 'pg', 'better-sqlite3', 'node:http', 'node:https', 'node:net'], message: 'Flows are data: no database or network access.' },
          ],
        },
      ],
    },
  },
  {
    basePath: '..',
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
