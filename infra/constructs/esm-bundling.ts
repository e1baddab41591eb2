import { type BundlingOptions, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Bulwark function is bundled: one ESM file for Node 24, minified, with source maps. The
 * banner lets CommonJS dependencies that call require() work inside the ESM bundle, and the pinned AWS
 * SDK is bundled too, so the deployed code is the code the tests ran.
 */
export const esmBundling: BundlingOptions = Object.freeze({
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  externalModules: [],
});
