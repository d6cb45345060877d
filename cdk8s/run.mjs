#!/usr/bin/env node
// Runs the cdk8s app straight from its TypeScript sources on Node 24 (type stripping: the sources
// use erasable syntax only). The sources import each other as './x.js', the way tsc and jest want;
// this resolve hook maps such a specifier to the .ts file beside it when no .js file exists.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
      throw err;
    }
  },
});
await import('./src/main.ts');
