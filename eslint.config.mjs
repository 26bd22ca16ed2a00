// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', '.data/', 'coverage/', 'tools/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      // Registries hold job types whose payload types differ; `any` is confined to those arrays.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  // The floors of the house: apps → products → platform libs. The platform never names a product,
  // and no library imports an app (docs/architecture.md, "Map of the house").
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/products/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@conveyor/products', '@conveyor/products/*', '**/products', '**/products/**'],
              message: 'Platform libraries never name a product.',
            },
            { group: ['**/apps', '**/apps/**'], message: 'Libraries never import apps.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/products/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps', '**/apps/**'], message: 'Libraries never import apps.' }] }],
    },
  },
  {
    // An app composes products in its root module only; elsewhere it may read the catalog.
    files: ['apps/**/*.ts'],
    ignores: ['apps/api/src/api.module.ts', 'apps/worker/src/worker.module.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@conveyor/products/*', '**/libs/products/**'], message: 'Only the app module names a product.' }] },
      ],
    },
  },
  {
    files: ['scripts/**/*.js', 'test/support/*.js', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
